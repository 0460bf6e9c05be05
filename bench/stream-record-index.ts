/**
 * `node --import tsx bench/stream-record-index.ts [records]`: what the stream records indexes
 * (local/dynamodb/stream-record-index.ts) save. Two DynamoDB Locals, one after the other, each on a new data
 * directory: the jar as shipped (the reference) and the jar as the local stack starts it. Each gets four tables —
 * Busy (streamed, written `records` times), Quiet (streamed, never written), QuietEarly (streamed, written once
 * before the rest) and Plain (no stream) — and the mean GetItem time on each is taken at no records and at
 * `records`, 100 calls apiece. Quiet is the case a batch hits: the webhook endpoints table, read at every job's end,
 * while the Job and slot tables fill the stream records table. Not part of `npm run bench`: it measures a fix to
 * the stand-in, not the product.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  GetItemCommand,
  PutItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb/dynamodb-local';
import { freePort } from '../tests/support/free-port';

const RECORDS = Number(process.argv[2] ?? 40_000);
if (!Number.isInteger(RECORDS) || RECORDS < 1)
  throw new Error(`records must be a positive whole number, but got "${process.argv[2]}"`);
const TABLES = ['Busy', 'Quiet', 'QuietEarly', 'Plain'] as const;
const CALLS = 100;

async function measure(indexStreamRecords: boolean) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stream-index-'));
  const dynamodb = await startDynamoDbLocal({
    dbPath: join(dataDir, 'dynamodb'),
    port: await freePort(),
    log: () => {},
    indexStreamRecords,
  });
  const { client } = dynamodb;
  try {
    for (const name of TABLES)
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          ...(name === 'Plain'
            ? {}
            : {
                StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
              }),
        }),
      );
    await client.send(new PutItemCommand({ TableName: 'QuietEarly', Item: { id: { S: '0' } } }));
    const atEmpty = await timeEach(client);
    const fillStarted = performance.now();
    await fill(client, RECORDS);
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    return { atEmpty, atRecords: await timeEach(client), fillSeconds };
  } finally {
    await dynamodb.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function fill(client: DynamoDBClient, records: number) {
  for (let from = 0; from < records; from += 25)
    await client.send(
      new BatchWriteItemCommand({
        RequestItems: {
          Busy: Array.from({ length: Math.min(25, records - from) }, (_, k) => ({
            PutRequest: { Item: { id: { S: String(from + k) }, pad: { S: 'x'.repeat(200) } } },
          })),
        },
      }),
    );
}

async function timeEach(client: DynamoDBClient): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of TABLES) {
    const started = performance.now();
    for (let i = 0; i < CALLS; i += 1)
      await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: String(i) } } }));
    result[table] = (performance.now() - started) / CALLS;
  }
  return result;
}

const reference = await measure(false);
const indexed = await measure(true);
console.log(
  `GetItem, mean ms of ${CALLS} calls; ${RECORDS.toLocaleString('en')} stream records written to Busy`,
);
console.log(
  'table       | shipped, 0 | shipped, N | indexed, 0 | indexed, N | shipped N / indexed N',
);
for (const table of TABLES)
  console.log(
    `${table.padEnd(11)} | ${[
      reference.atEmpty,
      reference.atRecords,
      indexed.atEmpty,
      indexed.atRecords,
    ]
      .map((run) => (run[table] ?? NaN).toFixed(2).padStart(10))
      .join(
        ' | ',
      )} | ${((reference.atRecords[table] ?? NaN) / (indexed.atRecords[table] ?? NaN)).toFixed(1)}`,
  );
console.log(
  `filling ${RECORDS.toLocaleString('en')} records: shipped ${reference.fillSeconds.toFixed(1)} s, indexed ${indexed.fillSeconds.toFixed(1)} s`,
);
