import Papa from 'papaparse';

/** A cell as it came: CSV gives strings, JSON any value. */
export type RawRow = Readonly<Record<string, unknown>>;

/** What a batch file holds: its column names, in order, and one record per data row. */
export type ParsedBatchFile =
  | { ok: true; format: 'csv' | 'json'; columns: string[]; rows: RawRow[] }
  | { ok: false; message: string };

const BOM = '\ufeff';

/** Reads a batch file's text: a JSON array of objects if it starts with `[`, else CSV (any common separator). */
export function parseBatchFile(text: string): ParsedBatchFile {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  if (body.trim() === '')
    return { ok: false, message: 'The file is empty: it needs a header and at least one row.' };
  return body.trimStart().startsWith('[') ? parseJsonRows(body) : parseCsvRows(body);
}

function parseJsonRows(text: string): ParsedBatchFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      message: `The file starts with "[" but is not valid JSON (${(error as Error).message}). Fix it, or save it as CSV.`,
    };
  }
  if (!Array.isArray(data))
    return { ok: false, message: 'A JSON batch must be an array of objects.' };
  const columns = new Set<string>();
  const rows: RawRow[] = [];
  for (const [index, item] of data.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      return {
        ok: false,
        message: `A JSON batch must be an array of objects, but item ${index + 1} is ${Array.isArray(item) ? 'a list' : item === null ? 'null' : typeof item}.`,
      };
    for (const key of Object.keys(item)) columns.add(key);
    rows.push(item as RawRow);
  }
  if (rows.length === 0)
    return { ok: false, message: 'The JSON array is empty: it needs at least one object.' };
  return { ok: true, format: 'json', columns: [...columns], rows };
}

// Only errors that lose data refuse the file; a delimiter Papa had to guess is no error when the parse is sound.
const isFatalCsvError = (error: Papa.ParseError) => error.type !== 'Delimiter';

function parseCsvRows(text: string): ParsedBatchFile {
  const result = Papa.parse<Record<string, string>>(text, {
    header: true,
    skipEmptyLines: 'greedy',
    delimitersToGuess: [',', ';', '\t', '|'],
    transformHeader: (header) => header.trim(),
  });
  const fatal = result.errors.filter(isFatalCsvError);
  if (fatal.length > 0) {
    const first = fatal[0]!;
    const where = first.row !== undefined ? `row ${first.row + 1}: ` : '';
    const more =
      fatal.length > 1
        ? ` (and ${fatal.length - 1} more problem${fatal.length === 2 ? '' : 's'})`
        : '';
    return { ok: false, message: `The CSV could not be read: ${where}${first.message}${more}.` };
  }
  const columns = (result.meta.fields ?? []).filter((column) => column !== '');
  // Papa renames a repeated header (`title`, `title_1`); a second column must not silently feed nothing.
  const duplicate = Object.values(result.meta.renamedHeaders ?? {})[0];
  if (duplicate !== undefined)
    return {
      ok: false,
      message: `The column "${duplicate}" appears twice in the header; rename one.`,
    };
  if (columns.length === 0)
    return { ok: false, message: 'The CSV has no header row naming its columns.' };
  if (result.data.length === 0) return { ok: false, message: 'The CSV has a header but no rows.' };
  return { ok: true, format: 'csv', columns, rows: result.data };
}
