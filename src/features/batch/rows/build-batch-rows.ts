import type { z } from 'zod';
import { describeProblem, formatPropsPath } from '../../../../remotion/describe-props-issues';
import type { FieldSpec } from '../../../lib/read-schema-fields';
import { coerceCell } from './coerce-cell';
import type { ColumnMapping } from './map-columns';
import type { RawRow } from './parse-batch-file';

/** One problem of one row: where, and the sentence the studio lists. */
export interface RowIssue {
  /** The field's path in the props (`bars[2].value`), or '' for the props as a whole. */
  path: string;
  /** "row 17, `title`: must be at most 80 characters, but got 93". */
  message: string;
}

/** One row of a batch as it will be submitted: its props, valid or with what is wrong. */
export type BatchRow =
  | { rowNumber: number; valid: true; props: Record<string, unknown> }
  | { rowNumber: number; valid: false; props: Record<string, unknown>; issues: RowIssue[] };

export interface BuildBatchRowsInput {
  schema: z.ZodObject;
  fields: readonly FieldSpec[];
  mapping: ColumnMapping;
  rows: readonly RawRow[];
  /** The props form's values: what every field without a column takes. */
  formProps: Readonly<Record<string, unknown>>;
}

/** Whether a cell is empty: a blank cell of a non-text field means "use the form's value". */
const isBlank = (cell: unknown): boolean =>
  cell === undefined || cell === null || (typeof cell === 'string' && cell.trim() === '');

/** The props of one row: mapped cells coerced to their field's type, every other field from the form. */
export function propsOfRow(
  fields: readonly FieldSpec[],
  mapping: ColumnMapping,
  row: RawRow,
  formProps: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const field of fields) {
    const column = mapping[field.key];
    const cell = column === undefined ? undefined : row[column];
    const fromForm =
      column === undefined || (field.kind !== 'text' && isBlank(cell)) || cell === undefined;
    props[field.key] = fromForm ? formProps[field.key] : coerceCell(field, cell);
  }
  return props;
}

/** Builds and validates every row with the composition's schema; row numbers count data rows from 1. */
export function buildBatchRows({
  schema,
  fields,
  mapping,
  rows,
  formProps,
}: BuildBatchRowsInput): BatchRow[] {
  return rows.map((row, index) => {
    const rowNumber = index + 1;
    const props = propsOfRow(fields, mapping, row, formProps);
    const parsed = schema.safeParse(props, { reportInput: true });
    if (parsed.success)
      return { rowNumber, valid: true, props: parsed.data as Record<string, unknown> };
    const issues = parsed.error.issues.map((issue) => {
      const path = formatPropsPath(issue.path);
      const subject = path === '' ? '' : ` \`${path}\``;
      return { path, message: `row ${rowNumber},${subject}: ${describeProblem(issue)}` };
    });
    return { rowNumber, valid: false, props, issues };
  });
}

/** Counts of a built batch, for the submit button's label and its guard. */
export function countBatchRows(rows: readonly BatchRow[]): { valid: number; invalid: number } {
  const valid = rows.filter((row) => row.valid).length;
  return { valid, invalid: rows.length - valid };
}
