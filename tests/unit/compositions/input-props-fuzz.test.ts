// Property-based fuzzing of `parseInputProps` for every composition of the catalog: whatever comes in is
// either accepted as complete, schema-valid props, or refused with sentences that name the field, say what
// was expected and what came, and stay short enough to store on a Job and show in the studio.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compositionCatalog,
  parseInputProps,
  type CompositionSpec,
} from '../../../remotion/catalog';
import { MAX_INPUT_PROPS_BYTES } from '../../../contract/job-contract';
import { readSchemaFields, type FieldSpec } from '../../../src/lib/read-schema-fields';
import { arbitraryValidProps } from '../../support/props-arbitraries';

/** Generous: 300+ runs per composition on a shared 2-core machine. */
const FUZZ_TIMEOUT_MS = 60_000;

/** Longest refusal message we accept: it is stored as the Job's errorMessage and shown in a card. */
const MAX_MESSAGE_LENGTH = 2000;

type Path = (string | number)[];

/** Every path into a props object, down to the leaves (list items and their fields included). */
function listPaths(value: unknown, prefix: Path = []): Path[] {
  if (Array.isArray(value))
    return value.flatMap((item, index) => [
      [...prefix, index],
      ...listPaths(item, [...prefix, index]),
    ]);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([key, item]) => [
      [...prefix, key],
      ...listPaths(item, [...prefix, key]),
    ]);
  return [];
}

/** A copy of `value` with the value at `path` replaced. */
function replaceAt(value: unknown, path: Path, replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value))
    return value.map((item, index) => (index === head ? replaceAt(item, rest, replacement) : item));
  const record = value as Record<string, unknown>;
  return { ...record, [head!]: replaceAt(record[head!], rest, replacement) };
}

/** Valid props with one value somewhere inside swapped for arbitrary JSON (which may happen to be valid). */
const arbitraryMutatedProps = (spec: CompositionSpec) =>
  arbitraryValidProps(spec).chain((props) => {
    const paths = listPaths(props);
    if (paths.length === 0) return fc.constant<unknown>(props);
    return fc
      .tuple(fc.constantFrom(...paths), fc.jsonValue())
      .map(([path, replacement]) => replaceAt(props, path, replacement));
  });

/** Valid props plus fields the schema does not know, at the top or inside a list item. */
const arbitraryPropsWithUnknownFields = (spec: CompositionSpec) =>
  fc
    .tuple(
      arbitraryValidProps(spec),
      fc.dictionary(fc.string({ minLength: 1, maxLength: 80 }), fc.jsonValue(), {
        minKeys: 1,
        maxKeys: 40,
      }),
    )
    .map(([props, extra]) => ({ ...extra, ...props }));

/** Whatever a client might send: valid, nearly valid, wrong types, junk, and non-JSON values. */
const arbitraryInput = (spec: CompositionSpec): fc.Arbitrary<unknown> =>
  fc.oneof(
    arbitraryValidProps(spec),
    arbitraryMutatedProps(spec),
    arbitraryMutatedProps(spec).map((props) => JSON.parse(JSON.stringify(props)) as unknown),
    arbitraryPropsWithUnknownFields(spec),
    fc.jsonValue(),
    fc.anything({
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
    }),
  );

/** What the refusal of `input` must look like; returns nothing, fails the property by throwing. */
function assertReadableRefusal(message: string, issues: { path: string; message: string }[]) {
  expect(issues.length).toBeGreaterThan(0);
  expect(message.length).toBeGreaterThan(0);
  expect(message.length).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
  expect(message).toContain(issues[0]!.message);
  for (const issue of issues) {
    // Names the field (or the props as a whole), then what was expected and what came.
    if (issue.path !== '') expect(issue.message).toContain(`\`${issue.path}\``);
    expect(issue.message).toMatch(/must .+, but got .+|nknown fields? `/);
    expect(issue.message.length).toBeLessThanOrEqual(400);
  }
}

/** The oracle: the composition's schema over the defaults, for a plain object within the size cap. */
function shouldAccept(spec: CompositionSpec, input: unknown): boolean {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false;
  let json: string;
  try {
    json = JSON.stringify(input);
  } catch {
    return false;
  }
  if (new TextEncoder().encode(json).length > MAX_INPUT_PROPS_BYTES) return false;
  return spec.schema.safeParse({ ...spec.defaultProps, ...input }).success;
}

const specs = compositionCatalog.map((spec) => [spec.id, spec] as const);

describe('inputProps fuzzing, every composition', () => {
  it.each(specs)('%s: the generators cover every field kind of the schema', (_id, spec) => {
    const kinds = (fields: FieldSpec[]): string[] =>
      fields.flatMap((field) =>
        field.kind === 'list' ? [field.kind, ...kinds(field.itemFields)] : [field.kind],
      );

    expect(kinds(readSchemaFields(spec.schema))).not.toContain('unsupported');
  });

  it.each(specs)(
    '%s: accepts every valid props object, complete and unchanged',
    (_id, spec) => {
      fc.assert(
        fc.property(arbitraryValidProps(spec), (props) => {
          const sent: unknown = JSON.parse(JSON.stringify(props));

          const result = parseInputProps(spec.id, sent);

          expect(result).toEqual({ ok: true, props: { ...spec.defaultProps, ...props } });
        }),
        { numRuns: 300 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it.each(specs)(
    '%s: renders-or-refuses any input, refusing with a readable message',
    (_id, spec) => {
      fc.assert(
        fc.property(arbitraryInput(spec), (input) => {
          const result = parseInputProps(spec.id, input);

          expect(result.ok).toBe(shouldAccept(spec, input));
          if (result.ok) {
            expect(spec.schema.safeParse(result.props).success).toBe(true);
            expect(Object.keys(result.props).sort()).toEqual(Object.keys(spec.schema.shape).sort());
          } else {
            assertReadableRefusal(result.message, result.issues);
          }
        }),
        { numRuns: 400 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it.each(specs)(
    '%s: refuses props over the size cap, saying the limit and the size',
    (_id, spec) => {
      fc.assert(
        fc.property(
          arbitraryValidProps(spec),
          fc.integer({ min: MAX_INPUT_PROPS_BYTES + 1, max: 4 * MAX_INPUT_PROPS_BYTES }),
          (props, size) => {
            const padded = { ...props, padding: 'x'.repeat(size) };

            const result = parseInputProps(spec.id, padded);

            expect(result.ok).toBe(false);
            if (!result.ok) {
              expect(result.message).toMatch(
                new RegExp(
                  `^Props for "${spec.id}" must be at most ${MAX_INPUT_PROPS_BYTES / 1024} KB as JSON, but got \\d+\\.\\d KB$`,
                ),
              );
            }
          },
        ),
        { numRuns: 50 },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('names at most a few problems of a huge bad input, and counts the rest', () => {
    const spec = compositionCatalog.find((candidate) => candidate.id === 'bar-chart')!;
    const bars = Array.from({ length: 12 }, () => ({ label: 7, value: 'big', color: 'red' }));
    const unknown = Object.fromEntries(
      Array.from({ length: 100 }, (_, index) => [`extra-${index}-${'k'.repeat(60)}`, index]),
    );

    const input = { ...unknown, bars };
    expect(JSON.stringify(input).length).toBeLessThan(MAX_INPUT_PROPS_BYTES); // the schema, not the cap, refuses it

    const result = parseInputProps(spec.id, input);

    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.length).toBe(12 * 3 + 1);
      expect(result.message).toMatch(/; and \d+ more problems$/);
      expect(result.issues.map((issue) => issue.message)).toContainEqual(
        expect.stringMatching(
          /^Unknown fields `extra-0-k+…`, .* and 95 more; the fields are `title`/,
        ),
      );
      assertReadableRefusal(result.message, result.issues);
    }
  });
});
