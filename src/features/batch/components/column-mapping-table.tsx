import type { FieldSpec } from '../../../lib/read-schema-fields';
import { formatCell } from '../rows/coerce-cell';
import type { ColumnMapping } from '../rows/map-columns';

interface ColumnMappingTableProps {
  fields: readonly FieldSpec[];
  columns: readonly string[];
  mapping: ColumnMapping;
  formProps: Readonly<Record<string, unknown>>;
  onChange: (mapping: ColumnMapping) => void;
}

/** A value as a short line of text, for "takes the form's value: …". */
const shortValue = (value: unknown): string => {
  const text = formatCell(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
};

/** One row per field: the column that feeds it (auto-mapped where names match), or the props form's value. */
export function ColumnMappingTable({
  fields,
  columns,
  mapping,
  formProps,
  onChange,
}: ColumnMappingTableProps) {
  return (
    <table className="batch-mapping">
      <caption className="batch-mapping__caption">Columns → props</caption>
      <thead>
        <tr>
          <th scope="col">Field</th>
          <th scope="col">Column</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((field) => {
          const column = mapping[field.key];
          return (
            <tr key={field.key} data-field={field.key}>
              <th scope="row">{field.title}</th>
              <td>
                <select
                  aria-label={`Column for ${field.title}`}
                  value={column ?? ''}
                  onChange={(event) =>
                    onChange({ ...mapping, [field.key]: event.currentTarget.value || undefined })
                  }
                >
                  <option value="">The form's value</option>
                  {columns.map((name) => (
                    <option key={name} value={name}>
                      {name}
                    </option>
                  ))}
                </select>
                {column === undefined && (
                  <span className="batch-mapping__fallback">
                    {' '}
                    every row: “{shortValue(formProps[field.key])}”
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
