import Papa from 'papaparse';
import type { FieldSpec } from '../../../lib/read-schema-fields';
import { formatCell } from './coerce-cell';

/** A CSV to fill in: one column per field, named by its key, and one example row from the composition's defaults. */
export function createTemplateCsv(
  fields: readonly FieldSpec[],
  defaults: Readonly<Record<string, unknown>>,
): string {
  const header = fields.map((field) => field.key);
  const example = fields.map((field) => formatCell(defaults[field.key]));
  // A BOM so spreadsheet programs read the file as UTF-8 ("São Paulo" stays intact).
  return `\ufeff${Papa.unparse({ fields: header, data: [example] }, { newline: '\r\n' })}\r\n`;
}
