import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';

/**
 * DynamoDB Local keeps every table's stream records in one SQLite table, `us`, keyed by sequence number only.
 * Every operation on a table with a stream describes that stream, and the description asks for the first
 * record of each shard: `SELECT MIN(SequenceNumber) FROM us WHERE ShardID = ?`. Without an index on
 * `ShardID`, SQLite walks the records in sequence order until it meets one of that shard, so a stream whose
 * shard has no records yet (a table nobody writes during a batch, such as the webhook endpoints) costs a walk
 * over every record of every stream: measured at 325 ms per GetItem after 100,000 records
 * (docs/architecture.md, Local stack). This index makes that lookup a seek; it changes no result.
 */
export const STREAM_RECORD_INDEXES = {
  us_shard_sequence: 'us (ShardID, SequenceNumber)',
  us_stream_sequence: 'us (StreamID, SequenceNumber)',
} as const;

/** The file DynamoDB Local keeps its data in when started with `-sharedDb -dbPath <dir>`. */
export const SHARED_DB_FILE = 'shared-local-instance.db';

/** What `ensureStreamRecordIndex` did, for the stack's log. */
export type StreamRecordIndexOutcome =
  'added' | 'already-present' | 'no-database' | 'no-stream-records-table' | 'hot-journal';

/**
 * Gives DynamoDB Local's stream records table its shard index. Must run while the jar is not running on
 * `dbDir`: sql.js works on a copy in memory and writes the file back whole (to a temporary file, renamed over
 * the old one). Leaves alone a database with a hot journal (the jar was killed mid-write), since only SQLite
 * proper replays a journal: the jar recovers it, and the next start adds the index.
 */
export async function ensureStreamRecordIndex(dbDir: string): Promise<StreamRecordIndexOutcome> {
  const file = join(dbDir, SHARED_DB_FILE);
  if (!existsSync(file)) return 'no-database';
  const journal = `${file}-journal`;
  if (existsSync(journal) && statSync(journal).size > 0) return 'hot-journal';
  // Every start after the first finds the indexes: answered from the schema's few pages, not the whole file (sql.js
  // reads it all into memory: 0.5 s and 170 MB more for a 143 MB file after a pipeline bench).
  const indexes = readIndexNames(file);
  if (indexes && Object.keys(STREAM_RECORD_INDEXES).every((name) => indexes.has(name)))
    return 'already-present';
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(file));
  try {
    const has = (type: 'table' | 'index', name: string) =>
      db.exec(`SELECT 1 FROM sqlite_master WHERE type = '${type}' AND name = '${name}'`).length > 0;
    if (!has('table', 'us')) return 'no-stream-records-table';
    const missing = Object.entries(STREAM_RECORD_INDEXES).filter(([name]) => !has('index', name));
    if (missing.length === 0) return 'already-present';
    for (const [name, on] of missing) db.run(`CREATE INDEX ${name} ON ${on}`);
    const temporary = `${file}.indexing`;
    writeFileSync(temporary, db.export());
    renameSync(temporary, file);
    return 'added';
  } finally {
    db.close();
  }
}

/** The most schema pages {@link readIndexNames} reads before it gives the question to sql.js. */
const SCHEMA_PAGE_BUDGET = 512;

/**
 * The names of the indexes in an SQLite file's schema, read from the `sqlite_master` b-tree alone (SQLite file
 * format, sections 1.3 and 1.6: the header, table b-tree pages, cells and records). Returns null for anything it
 * does not expect (another format, a schema row spilling onto overflow pages, more pages than the budget): the
 * caller then reads the file with sql.js. Reads only; a wrong null costs time, never a result.
 */
export function readIndexNames(file: string): Set<string> | null {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(100);
    if (readSync(fd, header, 0, 100, 0) !== 100) return null;
    if (header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return null;
    const rawPageSize = header.readUInt16BE(16);
    const pageSize = rawPageSize === 1 ? 65_536 : rawPageSize;
    const usable = pageSize - header[20]!;
    const readPage = (number: number) => {
      const page = Buffer.alloc(pageSize);
      return readSync(fd, page, 0, pageSize, (number - 1) * pageSize) === pageSize ? page : null;
    };
    const names = new Set<string>();
    const pending = [1];
    let visited = 0;
    while (pending.length > 0) {
      visited += 1;
      if (visited > SCHEMA_PAGE_BUDGET) return null;
      const number = pending.pop()!;
      const page = readPage(number);
      if (!page) return null;
      const at = number === 1 ? 100 : 0;
      const type = page[at]!;
      const cells = page.readUInt16BE(at + 3);
      const pointers = at + (type === 0x05 ? 12 : 8);
      if (type === 0x05) {
        // Interior: each cell starts with its left child's page number; the rightmost child is in the header.
        for (let cell = 0; cell < cells; cell += 1)
          pending.push(page.readUInt32BE(page.readUInt16BE(pointers + cell * 2)));
        pending.push(page.readUInt32BE(at + 8));
        continue;
      }
      if (type !== 0x0d) return null;
      for (let cell = 0; cell < cells; cell += 1) {
        const row = readSchemaRow(page, page.readUInt16BE(pointers + cell * 2), usable);
        if (!row) return null;
        if (row.type === 'index') names.add(row.name);
      }
    }
    return names;
  } finally {
    closeSync(fd);
  }
}

/** A varint of the SQLite format at `offset`: its value (small enough for a number here) and its length. */
function readVarint(page: Buffer, offset: number): { value: number; length: number } {
  let value = 0;
  for (let index = 0; index < 8; index += 1) {
    const byte = page[offset + index]!;
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) return { value, length: index + 1 };
  }
  // The ninth byte counts all eight of its bits.
  return { value: value * 256 + page[offset + 8]!, length: 9 };
}

/** The `type` and `name` columns of one `sqlite_master` row in a leaf cell, or null if it spills onto overflow pages. */
function readSchemaRow(
  page: Buffer,
  cellOffset: number,
  usable: number,
): { type: string; name: string } | null {
  const payloadSize = readVarint(page, cellOffset);
  const rowid = readVarint(page, cellOffset + payloadSize.length);
  // A table leaf keeps a payload on the page whole only up to usable − 35 bytes.
  if (payloadSize.value > usable - 35) return null;
  const record = cellOffset + payloadSize.length + rowid.length;
  const headerSize = readVarint(page, record);
  let typeAt = record + headerSize.length;
  const serialTypes: number[] = [];
  while (typeAt < record + headerSize.value && serialTypes.length < 2) {
    const serial = readVarint(page, typeAt);
    serialTypes.push(serial.value);
    typeAt += serial.length;
  }
  // Both columns are text: serial type 13 + 2 × length, odd.
  if (serialTypes.length < 2 || serialTypes.some((serial) => serial < 13 || serial % 2 === 0))
    return null;
  const [typeLength, nameLength] = serialTypes.map((serial) => (serial - 13) / 2) as [
    number,
    number,
  ];
  const body = record + headerSize.value;
  return {
    type: page.toString('utf8', body, body + typeLength),
    name: page.toString('utf8', body + typeLength, body + typeLength + nameLength),
  };
}
