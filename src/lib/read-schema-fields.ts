import { z } from 'zod';

interface FieldBase {
  /** Property name in the props object. */
  key: string;
  /** Label from `.meta({ title })`, or the key when a schema has none. */
  title: string;
  description?: string;
}

/** One editable field of a composition's props, read from its zod schema. */
export type FieldSpec =
  | (FieldBase & { kind: 'text'; minLength?: number; maxLength?: number; multiline: boolean })
  | (FieldBase & { kind: 'number'; min?: number; max?: number; step: number })
  | (FieldBase & { kind: 'color' })
  | (FieldBase & { kind: 'boolean' })
  | (FieldBase & { kind: 'enum'; options: string[] })
  | (FieldBase & { kind: 'image'; options: string[] })
  | (FieldBase & {
      kind: 'list';
      minItems?: number;
      maxItems?: number;
      itemFields: FieldSpec[];
      /** A new item, each field at a neutral value the schema accepts where it can. */
      createItem: () => Record<string, unknown>;
    })
  | (FieldBase & { kind: 'unsupported'; zodType: string });

type Meta = { title?: unknown; description?: unknown; widget?: unknown };

const metaOf = (schema: z.ZodType): Meta => (schema.meta() ?? {}) as Meta;

/** Strips wrappers that do not change how a field is edited (default, optional, nullable, readonly). */
function unwrap(schema: z.ZodType): { inner: z.ZodType; meta: Meta } {
  let current = schema;
  let meta = metaOf(current);
  for (;;) {
    const def = current._zod.def;
    if (
      def.type === 'default' ||
      def.type === 'optional' ||
      def.type === 'nullable' ||
      def.type === 'readonly' ||
      def.type === 'prefault'
    ) {
      current = (def as unknown as { innerType: z.ZodType }).innerType;
      meta = { ...metaOf(current), ...meta };
      continue;
    }
    return { inner: current, meta };
  }
}

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  format?: string;
}
const checksOf = (schema: z.ZodType): CheckDef[] =>
  (schema._zod.def.checks ?? []).map((check) => check._zod.def as unknown as CheckDef);

/** Reads every field of an object schema, in declaration order. */
export function readSchemaFields(schema: z.ZodObject): FieldSpec[] {
  return Object.entries(schema.shape).map(([key, field]) => readField(key, field as z.ZodType));
}

function readField(key: string, schema: z.ZodType): FieldSpec {
  const { inner, meta } = unwrap(schema);
  const base: FieldBase = {
    key,
    title: typeof meta.title === 'string' ? meta.title : key,
    ...(typeof meta.description === 'string' ? { description: meta.description } : {}),
  };
  const checks = checksOf(inner);
  const def = inner._zod.def;
  switch (def.type) {
    case 'string': {
      if (meta.widget === 'color') return { ...base, kind: 'color' };
      const maxLength = checks.find((c) => c.check === 'max_length')?.maximum;
      const minLength = checks.find((c) => c.check === 'min_length')?.minimum;
      return {
        ...base,
        kind: 'text',
        ...(minLength !== undefined ? { minLength } : {}),
        ...(maxLength !== undefined ? { maxLength } : {}),
        multiline: (maxLength ?? 0) > 200,
      };
    }
    case 'number': {
      const number = inner as z.ZodNumber;
      const isInt = checks.some((c) => c.check === 'number_format' && /int/.test(c.format ?? ''));
      const min = Number.isFinite(number.minValue) ? (number.minValue as number) : undefined;
      const max = Number.isFinite(number.maxValue) ? (number.maxValue as number) : undefined;
      const span = min !== undefined && max !== undefined ? max - min : undefined;
      return {
        ...base,
        kind: 'number',
        ...(min !== undefined ? { min } : {}),
        ...(max !== undefined ? { max } : {}),
        step: isInt
          ? 1
          : span !== undefined && span <= 1
            ? 0.01
            : span !== undefined && span <= 10
              ? 0.1
              : 1,
      };
    }
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'enum': {
      const options = (inner as z.ZodEnum).options.map(String);
      return meta.widget === 'image'
        ? { ...base, kind: 'image', options }
        : { ...base, kind: 'enum', options };
    }
    case 'array': {
      const element = (def as unknown as { element: z.ZodType }).element;
      const { inner: item } = unwrap(element);
      if (item._zod.def.type !== 'object')
        return { ...base, kind: 'unsupported', zodType: 'array of non-objects' };
      const itemFields = readSchemaFields(item as z.ZodObject);
      const minItems = checks.find((c) => c.check === 'min_length')?.minimum;
      const maxItems = checks.find((c) => c.check === 'max_length')?.maximum;
      return {
        ...base,
        kind: 'list',
        ...(minItems !== undefined ? { minItems } : {}),
        ...(maxItems !== undefined ? { maxItems } : {}),
        itemFields,
        createItem: () => Object.fromEntries(itemFields.map((f) => [f.key, neutralValueOf(f)])),
      };
    }
    default:
      return { ...base, kind: 'unsupported', zodType: def.type };
  }
}

/** A starting value for a new list item's field: valid where the schema allows it. */
function neutralValueOf(field: FieldSpec): unknown {
  switch (field.kind) {
    case 'text':
      return field.minLength ? 'New item'.padEnd(field.minLength, '.') : 'New item';
    case 'number':
      return field.min ?? 0;
    case 'color':
      return '#6366f1';
    case 'boolean':
      return false;
    case 'enum':
    case 'image':
      return field.options[0] ?? '';
    case 'list':
      return Array.from({ length: field.minItems ?? 0 }, () => field.createItem());
    case 'unsupported':
      return null;
  }
}
