import type { z } from 'zod';

/** Field errors keyed by dotted path (`slides.0.caption`), first message per path. */
export type FieldErrors = ReadonlyMap<string, string>;

/** Result of checking props against a composition's schema. */
export type PropsCheck =
  | { valid: true; props: Record<string, unknown>; errors: FieldErrors }
  | { valid: false; errors: FieldErrors };

/** Checks props with the schema itself, so the form shows exactly what the worker would reject. */
export function validateProps(schema: z.ZodObject, props: unknown): PropsCheck {
  const parsed = schema.safeParse(props);
  if (parsed.success)
    return { valid: true, props: parsed.data as Record<string, unknown>, errors: new Map() };
  const errors = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const path = issue.path.map(String).join('.');
    if (!errors.has(path)) errors.set(path, issue.message);
  }
  return { valid: false, errors };
}
