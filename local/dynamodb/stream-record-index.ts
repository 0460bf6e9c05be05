import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
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
