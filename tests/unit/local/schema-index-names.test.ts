// readIndexNames (local/dynamodb/stream-record-index.ts) answers "which indexes does this SQLite file have" from the
// schema's pages alone, so a start of the local stack need not read DynamoDB Local's whole file. Judged against
// SQLite itself (sql.js) on files built to need interior schema pages, and on what it must refuse to guess.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs, { type Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureStreamRecordIndex,
  readIndexNames,
  SHARED_DB_FILE,
  STREAM_RECORD_INDEXES,
} from '../../../local/dynamodb/stream-record-index';

let dir: string;
let SQL: Awaited<ReturnType<typeof initSqlJs>>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'schema-index-names-'));
  SQL = await initSqlJs();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const save = (name: string, db: Database) => {
  const file = join(dir, name);
  writeFileSync(file, db.export());
  db.close();
  return file;
};
const sqliteIndexNames = (db: Database) =>
  (db.exec("SELECT name FROM sqlite_master WHERE type = 'index'")[0]?.values ?? [])
    .map(([name]) => String(name))
    .sort();

describe('readIndexNames', () => {
  it('finds exactly the indexes SQLite lists, through a schema spread over many interior and leaf pages', () => {
    const db = new SQL.Database();
    db.run('PRAGMA page_size = 1024');
    db.run('VACUUM');
    for (let table = 0; table < 120; table += 1) {
      db.run(`CREATE TABLE "t${table}" (hashKey TEXT, rangeKey TEXT, payload BLOB)`);
      if (table % 3 === 0) db.run(`CREATE INDEX "t${table}_by_range" ON "t${table}" (rangeKey)`);
      // A UNIQUE constraint adds SQLite's own automatic index (no SQL text: a NULL column).
      if (table % 5 === 0) db.run(`CREATE TABLE "u${table}" (key TEXT UNIQUE)`);
    }
    db.run('INSERT INTO t0 VALUES (?, ?, ?)', ['a', 'b', new Uint8Array(50_000)]);
    const expected = sqliteIndexNames(db);
    expect(expected.length).toBeGreaterThan(60);
    const file = save('many.db', db);
    expect([...(readIndexNames(file) ?? [])].sort()).toEqual(expected);
  });

  it('reads a file with no index as none, and a one-page schema', () => {
    const empty = new SQL.Database();
    empty.run('CREATE TABLE us (ShardID TEXT, SequenceNumber TEXT)');
    expect(readIndexNames(save('no-index.db', empty))).toEqual(new Set());
    const indexed = new SQL.Database();
    indexed.run('CREATE TABLE us (ShardID TEXT, SequenceNumber TEXT, StreamID TEXT)');
    for (const [name, on] of Object.entries(STREAM_RECORD_INDEXES))
      indexed.run(`CREATE INDEX ${name} ON ${on}`);
    expect(readIndexNames(save('indexed.db', indexed))).toEqual(
      new Set(Object.keys(STREAM_RECORD_INDEXES)),
    );
  });

  it('gives up (null) rather than guess: not SQLite, or a schema row spilling onto overflow pages', () => {
    const text = join(dir, 'not-sqlite.db');
    writeFileSync(text, 'x'.repeat(4096));
    expect(readIndexNames(text)).toBeNull();
    const db = new SQL.Database();
    db.run('PRAGMA page_size = 1024');
    db.run('VACUUM');
    const columns = Array.from({ length: 80 }, (_, index) => `column_${index} TEXT`).join(', ');
    db.run(`CREATE TABLE wide (${columns})`);
    expect(readIndexNames(save('overflow.db', db))).toBeNull();
  });
});

describe('ensureStreamRecordIndex with the schema read', () => {
  it('adds the indexes where the schema lacks them, then finds them there on the next start', async () => {
    const dataDir = mkdtempSync(join(dir, 'data-'));
    const db = new SQL.Database();
    db.run('PRAGMA page_size = 1024');
    db.run('VACUUM');
    db.run('CREATE TABLE us (ShardID TEXT, SequenceNumber TEXT, StreamID TEXT)');
    for (let table = 0; table < 40; table += 1) db.run(`CREATE TABLE "t${table}" (k TEXT)`);
    writeFileSync(join(dataDir, SHARED_DB_FILE), db.export());
    db.close();

    expect(await ensureStreamRecordIndex(dataDir)).toBe('added');
    expect([...(readIndexNames(join(dataDir, SHARED_DB_FILE)) ?? [])].sort()).toEqual(
      Object.keys(STREAM_RECORD_INDEXES).sort(),
    );
    expect(await ensureStreamRecordIndex(dataDir)).toBe('already-present');
  });
});
