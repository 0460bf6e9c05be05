// fast-check generators of valid props for any composition, derived from its zod schema through the
// studio's own field reader, so a new composition is fuzzed without writing a generator for it.
import fc from 'fast-check';
import type { CompositionSpec } from '../../remotion/catalog';
import { readSchemaFields, type FieldSpec } from '../../src/lib/read-schema-fields';

/** Text of any Unicode, within the field's bounds as zod counts them (UTF-16 code units). */
const arbitraryText = (minLength = 0, maxLength = 200) =>
  fc
    .oneof(
      fc.string({ minLength, maxLength }),
      fc.string({ minLength, maxLength, unit: 'grapheme' }),
      fc.string({ minLength, maxLength, unit: 'binary' }),
      // Markup and script that must only ever be drawn as text.
      fc.constantFrom(
        '<img src=x onerror=alert(1)>',
        '<script>alert(1)</script>',
        '"><svg onload=alert(1)>',
        '{{constructor.constructor("alert(1)")()}}',
      ),
    )
    .filter((text) => text.length >= minLength && text.length <= maxLength);

/** A generator of values the field accepts. */
function arbitraryFieldValue(field: FieldSpec): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'text':
      return arbitraryText(field.minLength, field.maxLength);
    case 'number':
      return fc.double({
        min: field.min ?? -1e9,
        max: field.max ?? 1e9,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case 'color':
      return fc.stringMatching(/^#[0-9a-fA-F]{6}$/);
    case 'boolean':
      return fc.boolean();
    case 'enum':
    case 'image':
      return fc.constantFrom(...field.options);
    case 'list':
      return fc.array(arbitraryObject(field.itemFields, 'all'), {
        minLength: field.minItems ?? 0,
        maxLength: field.maxItems ?? 10,
      });
    case 'unsupported':
      throw new Error(`No generator for field "${field.key}" of zod type ${field.zodType}`);
  }
}

function arbitraryObject(fields: FieldSpec[], keys: 'all' | 'some') {
  const model = Object.fromEntries(fields.map((field) => [field.key, arbitraryFieldValue(field)]));
  return fc.record(model, keys === 'all' ? {} : { requiredKeys: [] });
}

/**
 * Props the composition's schema accepts, with any subset of the top-level fields (the rest come from the
 * defaults, as `parseInputProps` lays given props over them).
 */
export function arbitraryValidProps(spec: CompositionSpec): fc.Arbitrary<Record<string, unknown>> {
  return arbitraryObject(readSchemaFields(spec.schema), 'some');
}
