// DynamoDB Local's stream records table gets the indexes its per-operation stream lookups need
// (local/dynamodb/stream-record-index.ts): on a new data directory, on one kept from before, never over a hot
// journal, and without losing an item or a stream record. The speed itself is measured by
// bench/stream-record-index.ts, not here.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import initSqlJs, { type Database } from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb/dynamodb-local';
import {
  ensureStreamRecordIndex,
  SHARED_DB_FILE,
  STREAM_RECORD_INDEXES,
} from '../../local/dynamodb/stream-record-index';
import { freePort } from '../support/free-port';

let dataDir: string;
let dbPath: string;
let port: number;
let dynamodb: DynamoDbLocal | undefined;

const start = async () => {
  dynamodb = await startDynamoDbLocal({ dbPath, port, log: () => {} });
  return dynamodb;
};
const stop = async () => {
  await dynamodb?.stop();
  dynamodb = undefined;
};
const openCopy = async (): Promise<Database> => {
  const SQL = await initSqlJs();
  return new SQL.Database(readFileSync(join(dbPath, SHARED_DB_FILE)));
};
const indexNames = (db: Database) =>
  (
    db.exec("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'us'")[0]?.values ??
    []
  )
    .map(([name]) => String(name))
    .sort();
const rows = (db: Database, sql: string) => db.exec(sql)[0]?.values ?? [];
const streamRecordCount = (db: Database) => Number(rows(db, 'SELECT COUNT(*) FROM us')[0]?.[0]);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dynamodb-stream-index-'));
  dbPath = join(dataDir, 'dynamodb');
  port = await freePort();
});

afterAll(async () => {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DynamoDB Local stream records indexes', () => {
  it('a new data directory starts with both indexes, and SQLite answers the stream lookups from them', async () => {
    expect(existsSync(join(dbPath, SHARED_DB_FILE))).toBe(false);
    const { client } = await start();
    await client.send(
      new CreateTableCommand({
        TableName: 'Streamed',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    for (const id of ['a', 'b', 'c'])
      await client.send(new PutItemCommand({ TableName: 'Streamed', Item: { id: { S: id } } }));
    await stop();

    const db = await openCopy();
    expect(indexNames(db)).toEqual(Object.keys(STREAM_RECORD_INDEXES).sort());
    expect(streamRecordCount(db)).toBe(3);
    // The two lookups the jar makes per operation on a streamed table (by stream, by shard) seek the index.
    for (const column of ['StreamID', 'ShardID']) {
      const plan = rows(
        db,
        `EXPLAIN QUERY PLAN SELECT MIN(SequenceNumber) FROM us WHERE ${column} = 'x'`,
      ).map((row) => String(row[3]));
      expect(plan.join(' ')).toMatch(/USING COVERING INDEX us_(stream|shard)_sequence/);
    }
    db.close();
    expect(await ensureStreamRecordIndex(dbPath)).toBe('already-present');
  });

  it('a database from before the indexes gets them on the next start, keeping items and stream records', async () => {
    // Prepare: the database as an earlier version left it, without the indexes.
    const old = await openCopy();
    for (const name of Object.keys(STREAM_RECORD_INDEXES)) old.run(`DROP INDEX ${name}`);
    expect(indexNames(old)).toEqual([]);
    writeFileSync(join(dbPath, SHARED_DB_FILE), old.export());
    old.close();

    const { client } = await start();
    const { Item } = await client.send(
      new GetItemCommand({ TableName: 'Streamed', Key: { id: { S: 'b' } } }),
    );
    expect(Item?.id?.S).toBe('b');
    await client.send(new PutItemCommand({ TableName: 'Streamed', Item: { id: { S: 'd' } } }));
    await stop();

    const db = await openCopy();
    expect(indexNames(db)).toEqual(Object.keys(STREAM_RECORD_INDEXES).sort());
    expect(streamRecordCount(db)).toBe(4);
    db.close();
  });

  it('leaves a database with a hot journal alone, byte for byte, and says so', async () => {
    const file = join(dbPath, SHARED_DB_FILE);
    const old = await openCopy();
    for (const name of Object.keys(STREAM_RECORD_INDEXES)) old.run(`DROP INDEX ${name}`);
    writeFileSync(file, old.export());
    old.close();
    const before = readFileSync(file);
    writeFileSync(`${file}-journal`, 'not yet replayed');
    try {
      expect(await ensureStreamRecordIndex(dbPath)).toBe('hot-journal');
      expect(readFileSync(file).equals(before)).toBe(true);
    } finally {
      rmSync(`${file}-journal`);
    }
    expect(await ensureStreamRecordIndex(dbPath)).toBe('added');
  });

  it('reports a missing database and one without the jar’s stream records table', async () => {
    const empty = join(dataDir, 'empty');
    expect(await ensureStreamRecordIndex(empty)).toBe('no-database');
    const SQL = await initSqlJs();
    const other = new SQL.Database();
    other.run('CREATE TABLE unrelated (id TEXT)');
    const otherDir = join(dataDir, 'other');
    mkdirSync(otherDir, { recursive: true });
    writeFileSync(join(otherDir, SHARED_DB_FILE), other.export());
    other.close();
    expect(await ensureStreamRecordIndex(otherDir)).toBe('no-stream-records-table');
  });
});
