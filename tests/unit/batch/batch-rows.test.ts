import { describe, expect, it } from 'vitest';
import { barChartSpec } from '../../../remotion/compositions/bar-chart/schema';
import { titleCardSpec } from '../../../remotion/compositions/title-card/schema';
import {
  buildBatchRows,
  countBatchRows,
  propsOfRow,
} from '../../../src/features/batch/rows/build-batch-rows';
import { coerceCell } from '../../../src/features/batch/rows/coerce-cell';
import { autoMapColumns, unmappedColumns } from '../../../src/features/batch/rows/map-columns';
import { parseBatchFile, type RawRow } from '../../../src/features/batch/rows/parse-batch-file';
import { createTemplateCsv } from '../../../src/features/batch/rows/template-csv';
import { readSchemaFields, type FieldSpec } from '../../../src/lib/read-schema-fields';

const titleFields = readSchemaFields(titleCardSpec.schema);
const barFields = readSchemaFields(barChartSpec.schema);
const fieldOf = (fields: FieldSpec[], key: string) => fields.find((field) => field.key === key)!;

const parsedRows = (text: string) => {
  const parsed = parseBatchFile(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed;
};

describe('parseBatchFile (CSV)', () => {
  it('reads quotes, doubled quotes, embedded newlines and commas inside quotes', () => {
    const csv = 'title,subtitle\r\n"Hello, world","She said ""hi""\non two lines"\r\nPlain,\r\n';
    const parsed = parsedRows(csv);
    expect(parsed.format).toBe('csv');
    expect(parsed.columns).toEqual(['title', 'subtitle']);
    expect(parsed.rows).toEqual([
      { title: 'Hello, world', subtitle: 'She said "hi"\non two lines' },
      { title: 'Plain', subtitle: '' },
    ]);
  });

  it('drops a UTF-8 BOM so the first column keeps its name', () => {
    const parsed = parsedRows('\ufefftitle;subtitle\nÄrger;über\n');
    expect(parsed.columns).toEqual(['title', 'subtitle']);
    expect(parsed.rows).toEqual([{ title: 'Ärger', subtitle: 'über' }]);
  });

  it('detects `;` and tab separators (a European spreadsheet export, a paste from a sheet)', () => {
    expect(parsedRows('title;value\n"a;b";1,5\nc;2\n').rows).toEqual([
      { title: 'a;b', value: '1,5' },
      { title: 'c', value: '2' },
    ]);
    expect(parsedRows('title\tsubtitle\nx\ty\n').rows).toEqual([{ title: 'x', subtitle: 'y' }]);
  });

  it('skips blank lines, including a trailing one and lines of only separators', () => {
    expect(parsedRows('title,subtitle\n\na,b\n,\n\n').rows).toEqual([
      { title: 'a', subtitle: 'b' },
    ]);
  });

  it('trims header names but never cell values', () => {
    const parsed = parsedRows(' title , Sub title \n  padded  ,x\n');
    expect(parsed.columns).toEqual(['title', 'Sub title']);
    expect(parsed.rows[0]).toEqual({ title: '  padded  ', 'Sub title': 'x' });
  });

  it('refuses a file it cannot read faithfully, saying where', () => {
    expect(parseBatchFile('')).toEqual({
      ok: false,
      message: 'The file is empty: it needs a header and at least one row.',
    });
    expect(parseBatchFile('\ufeff  \n')).toMatchObject({ ok: false });
    expect(parseBatchFile('title,subtitle\n')).toEqual({
      ok: false,
      message: 'The CSV has a header but no rows.',
    });
    const ragged = parseBatchFile('title,subtitle\na,b\nc,d,e\n');
    expect(ragged).toMatchObject({ ok: false });
    expect(!ragged.ok && ragged.message).toMatch(
      /^The CSV could not be read: row 2: Too many fields/,
    );
    const unclosed = parseBatchFile('title,subtitle\n"a,b\n');
    expect(!unclosed.ok && unclosed.message).toMatch(/Quote|quote/);
    expect(parseBatchFile('title,title\na,b\n')).toEqual({
      ok: false,
      message: 'The column "title" appears twice in the header; rename one.',
    });
  });
});

describe('parseBatchFile (JSON)', () => {
  it('reads an array of objects, with the union of their keys as columns', () => {
    const parsed = parsedRows('\ufeff [{"title":"a","n":1},{"title":"b","extra":true}]');
    expect(parsed.format).toBe('json');
    expect(parsed.columns).toEqual(['title', 'n', 'extra']);
    expect(parsed.rows).toEqual([
      { title: 'a', n: 1 },
      { title: 'b', extra: true },
    ]);
  });

  it('refuses what is not an array of objects', () => {
    expect(parseBatchFile('[1,2]')).toEqual({
      ok: false,
      message: 'A JSON batch must be an array of objects, but item 1 is number.',
    });
    expect(parseBatchFile('[{}, null]')).toMatchObject({
      message: expect.stringMatching(/item 2 is null/),
    });
    expect(parseBatchFile('[{}, []]')).toMatchObject({
      message: expect.stringMatching(/item 2 is a list/),
    });
    expect(parseBatchFile('[]')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/empty/),
    });
    expect(parseBatchFile('[{"title": "a",}]')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^The file starts with "\[" but is not valid JSON/),
    });
  });
});

describe('autoMapColumns', () => {
  it('maps by key or title ignoring case, spaces, `_` and `-`, and leaves the rest to the form', () => {
    const mapping = autoMapColumns(titleFields, [
      'TITLE',
      'background_colour',
      'Text-Color',
      'notes',
    ]);
    expect(mapping).toEqual({
      title: 'TITLE',
      backgroundColor: 'background_colour',
      textColor: 'Text-Color',
    });
    expect(unmappedColumns(mapping, ['TITLE', 'background_colour', 'Text-Color', 'notes'])).toEqual(
      ['notes'],
    );
  });

  it('prefers an exact key match over another field’s title, and uses each column once', () => {
    // `title` is both the key of one field and (loosely) nobody's title here, but "Title" twice must not map twice.
    const mapping = autoMapColumns(titleFields, ['Title', 'title']);
    expect(Object.values(mapping).filter(Boolean)).toHaveLength(1);
    expect(mapping.title).toBe('Title');
  });
});

describe('coerceCell', () => {
  it('reads numbers in plain decimal only', () => {
    const value = fieldOf(barFields, 'bars'); // a list: JSON text
    expect(coerceCell(value, '[{"label":"a","value":1,"color":"#ffffff"}]')).toEqual([
      { label: 'a', value: 1, color: '#ffffff' },
    ]);
    expect(coerceCell(value, '[{"label":')).toBe('[{"label":');
    const number: FieldSpec = { key: 'n', title: 'n', kind: 'number', step: 1 };
    expect(coerceCell(number, ' 1 234.5 ')).toBe(1234.5);
    expect(coerceCell(number, '-.5')).toBe(-0.5);
    for (const text of ['0x10', '1e3', 'abc', '1,5', 'NaN', 'Infinity', '.'])
      expect(coerceCell(number, text)).toBe(text);
  });

  it('reads booleans in the words spreadsheets use', () => {
    const flag = fieldOf(barFields, 'showValues');
    expect(['TRUE', 'yes', 'Y', '1', 'on'].map((text) => coerceCell(flag, text))).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['false', 'No', '0', 'off'].map((text) => coerceCell(flag, text))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(coerceCell(flag, 'maybe')).toBe('maybe');
  });

  it('reads colours with or without `#`, short or long, in any case', () => {
    const color = fieldOf(titleFields, 'backgroundColor');
    expect(coerceCell(color, 'FF8800')).toBe('#ff8800');
    expect(coerceCell(color, ' #AbC ')).toBe('#aabbcc');
    expect(coerceCell(color, 'red')).toBe('red');
  });

  it('matches enum options ignoring case, and keeps text as typed', () => {
    expect(coerceCell(fieldOf(barFields, 'sortOrder'), 'Largest-First')).toBe('largest-first');
    expect(coerceCell(fieldOf(titleFields, 'title'), '  a  b \n c\t')).toBe('a  b \n c');
    expect(coerceCell(fieldOf(titleFields, 'title'), 42)).toBe('42');
  });
});

describe('buildBatchRows', () => {
  const formProps = titleCardSpec.defaultProps;
  const build = (rows: RawRow[], columns = Object.keys(rows[0] ?? {})) =>
    buildBatchRows({
      schema: titleCardSpec.schema,
      fields: titleFields,
      mapping: autoMapColumns(titleFields, columns),
      rows,
      formProps,
    });

  it('fills unmapped fields and blank non-text cells from the form; a blank text cell stays blank', () => {
    expect(
      propsOfRow(
        titleFields,
        { title: 'title', subtitle: 'sub', textColor: 'c' },
        { title: 'Hi', sub: '', c: ' ' },
        formProps,
      ),
    ).toEqual({
      title: 'Hi',
      subtitle: '',
      backgroundColor: formProps.backgroundColor,
      textColor: formProps.textColor,
    });
  });

  it('says which row and field is wrong, what was expected and what came', () => {
    const rows = Array.from({ length: 17 }, (_, i) => ({
      title: `Card ${i + 1}`,
      textColor: 'fff',
    }));
    rows[16] = { title: 'x'.repeat(93), textColor: 'not a colour' };
    const built = build(rows);
    expect(countBatchRows(built)).toEqual({ valid: 16, invalid: 1 });
    expect(built[0]).toEqual({
      rowNumber: 1,
      valid: true,
      props: { ...formProps, title: 'Card 1', textColor: '#ffffff' },
    });
    const bad = built[16]!;
    expect(bad.valid).toBe(false);
    expect(!bad.valid && bad.issues.map((issue) => issue.message)).toEqual([
      'row 17, `title`: must be at most 80 characters, but got 93',
      'row 17, `textColor`: must be a hex colour like "#1e293b", but got "not a colour"',
    ]);
  });

  it('reports nested paths of a list given as JSON text', () => {
    const built = buildBatchRows({
      schema: barChartSpec.schema,
      fields: barFields,
      mapping: { bars: 'bars' },
      rows: [{ bars: '[{"label":"a","value":-1,"color":"#ffffff"}]' }, { bars: '[not json' }],
      formProps: barChartSpec.defaultProps,
    });
    expect(built.map((row) => (row.valid ? [] : row.issues.map((issue) => issue.message)))).toEqual(
      [
        ['row 1, `bars[0].value`: must be at least 0, but got -1'],
        ['row 2, `bars`: must be a list, but got "[not json"'],
      ],
    );
  });

  it('keeps hostile text as text: markup, formulas, emoji, right-to-left marks', () => {
    const nasty = [
      '<img src=x onerror=alert(1)>',
      '=HYPERLINK("http://x")',
      '👩‍👩‍👧‍👦 family',
      '\u202eevil',
    ];
    const built = build(nasty.map((title) => ({ title })));
    expect(built.map((row) => row.valid && row.props.title)).toEqual(nasty);
  });
});

describe('createTemplateCsv', () => {
  it('has one column per field and the defaults as its example row, which parse back into valid props', () => {
    const csv = createTemplateCsv(barFields, barChartSpec.defaultProps);
    expect(csv.startsWith('\ufefftitle,unit,bars,showValues,sortOrder,backgroundColor\r\n')).toBe(
      true,
    );
    const parsed = parsedRows(csv);
    const built = buildBatchRows({
      schema: barChartSpec.schema,
      fields: barFields,
      mapping: autoMapColumns(barFields, parsed.columns),
      rows: parsed.rows,
      // The form differs from the defaults everywhere, so each value must come from the template.
      formProps: {
        ...barChartSpec.defaultProps,
        title: 'other',
        bars: [],
        sortOrder: 'as-entered',
      },
    });
    expect(built).toEqual([{ rowNumber: 1, valid: true, props: barChartSpec.defaultProps }]);
  });
});
