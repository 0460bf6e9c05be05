import type { FieldSpec } from '../../../lib/read-schema-fields';

/** Which column feeds each field; a field absent here takes the props form's value. */
export type ColumnMapping = Readonly<Record<string, string | undefined>>;

/** A name compared loosely: case, spaces, `_` and `-` do not matter ("Background colour" = "background_colour"). */
const looseName = (name: string): string => name.toLowerCase().replace(/[\s_-]+/g, '');

/** Maps each field to the column named like its key or its title; each column feeds at most one field. */
export function autoMapColumns(
  fields: readonly FieldSpec[],
  columns: readonly string[],
): ColumnMapping {
  const mapping: Record<string, string | undefined> = {};
  const used = new Set<string>();
  // Key matches first, so a column named exactly like one field's key is never taken by another's title.
  for (const pass of ['key', 'title'] as const) {
    for (const field of fields) {
      if (mapping[field.key] !== undefined) continue;
      const wanted = looseName(pass === 'key' ? field.key : field.title);
      const column = columns.find(
        (candidate) => !used.has(candidate) && looseName(candidate) === wanted,
      );
      if (column === undefined) continue;
      mapping[field.key] = column;
      used.add(column);
    }
  }
  return mapping;
}

/** Columns no field reads: shown so a user sees what will be ignored. */
export function unmappedColumns(mapping: ColumnMapping, columns: readonly string[]): string[] {
  const used = new Set(Object.values(mapping));
  return columns.filter((column) => !used.has(column));
}
