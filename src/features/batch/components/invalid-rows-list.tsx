import type { BatchRow } from '../rows/build-batch-rows';

/** Problems listed in full; beyond this the list says how many more there are. */
const SHOWN_ISSUES = 50;

/** Every invalid row's problems: "row 17, `title`: must be at most 80 characters, but got 93". */
export function InvalidRowsList({ rows }: { rows: readonly BatchRow[] }) {
  const issues = rows.flatMap((row) =>
    row.valid ? [] : row.issues.map((issue) => ({ rowNumber: row.rowNumber, ...issue })),
  );
  if (issues.length === 0) return null;
  const more = issues.length - SHOWN_ISSUES;
  return (
    <div className="batch-invalid" role="alert" aria-label="Invalid rows">
      <p className="batch-invalid__title">
        {issues.length === 1 ? '1 problem' : `${issues.length.toLocaleString('en-US')} problems`} to
        fix:
      </p>
      <ul>
        {issues.slice(0, SHOWN_ISSUES).map((issue, index) => (
          <li key={index} data-row={issue.rowNumber} data-field={issue.path}>
            {issue.message}
          </li>
        ))}
      </ul>
      {more > 0 && <p>…and {more.toLocaleString('en-US')} more.</p>}
    </div>
  );
}
