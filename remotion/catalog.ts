/**
 * The composition catalog without React: ids, schemas, default props and sizes.
 * The render worker imports this to validate props; `registry.tsx` adds the components.
 */
import type { CompositionSpec } from './composition-spec';
import {
  describePropsIssues,
  describeReceivedValue,
  type PropsIssue,
} from './describe-props-issues';
import { MAX_INPUT_PROPS_BYTES, measurePropsBytes } from '../contract/job-contract';
import { barChartSpec } from './compositions/bar-chart/schema';
import { slideshowSpec } from './compositions/slideshow/schema';
import { titleCardSpec } from './compositions/title-card/schema';

export type { CompositionSpec } from './composition-spec';
export type { PropsIssue } from './describe-props-issues';
export { publicImages, type PublicImage } from './fields';

/** Every composition the studio, the worker and the Remotion site know, in display order. */
export const compositionCatalog: readonly CompositionSpec[] = [
  titleCardSpec,
  barChartSpec,
  slideshowSpec,
];

/** The outcome of {@link parseInputProps}: complete, valid props, or sentences saying what is wrong. */
export type ParseInputPropsResult =
  | { ok: true; props: Record<string, unknown> }
  | { ok: false; message: string; issues: PropsIssue[] };

/** The ids of every composition, for messages and pickers. */
export function listCompositionIds(): string[] {
  return compositionCatalog.map((spec) => spec.id);
}

/** Finds a composition by id; `undefined` when there is none. */
export function findCompositionSpec(id: string): CompositionSpec | undefined {
  return compositionCatalog.find((spec) => spec.id === id);
}

/** Problems spelled out in the message; more are counted, so a stored or shown message stays readable. */
const MAX_DESCRIBED_ISSUES = 8;

function reject(issues: PropsIssue[]): ParseInputPropsResult {
  const described = issues.slice(0, MAX_DESCRIBED_ISSUES).map((issue) => issue.message);
  const more = issues.length - described.length;
  if (more > 0) described.push(`and ${more} more problem${more === 1 ? '' : 's'}`);
  return { ok: false, message: described.join('; '), issues };
}

/** Serialized size in bytes; `undefined` for a value JSON cannot hold (a cycle, a bigint). */
function measureJsonBytes(value: unknown): number | undefined {
  try {
    return measurePropsBytes(value);
  } catch {
    return undefined;
  }
}

/**
 * Validates input props for a composition. Like Remotion itself, given props are laid
 * over the composition's default props (a shallow merge), so `{ title: 'Hi' }` is enough.
 * Returns the complete props to render with, or every problem at once (the message spells out
 * the first few). Props over `MAX_INPUT_PROPS_BYTES` are refused before the schema is applied.
 */
export function parseInputProps(id: string, input: unknown): ParseInputPropsResult {
  const spec = findCompositionSpec(id);
  if (!spec) {
    return reject([
      {
        path: '',
        message: `Unknown composition ${describeReceivedValue(id)}; known compositions are ${listCompositionIds().join(', ')}`,
      },
    ]);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject([
      {
        path: '',
        message: `Props for "${id}" must be a JSON object, but got ${describeReceivedValue(input)}`,
      },
    ]);
  }
  // The size cap holds here too, not only in the studio: this is the worker's check of what was stored.
  const bytes = measureJsonBytes(input);
  if (bytes === undefined || bytes > MAX_INPUT_PROPS_BYTES) {
    return reject([
      {
        path: '',
        message:
          bytes === undefined
            ? `Props for "${id}" must be plain JSON, but got a value JSON cannot hold`
            : `Props for "${id}" must be at most ${MAX_INPUT_PROPS_BYTES / 1024} KB as JSON, but got ${(bytes / 1024).toFixed(1)} KB`,
      },
    ]);
  }
  const parsed = spec.schema.safeParse({ ...spec.defaultProps, ...input }, { reportInput: true });
  if (!parsed.success)
    return reject(describePropsIssues(parsed.error.issues, Object.keys(spec.schema.shape)));
  return { ok: true, props: parsed.data };
}
