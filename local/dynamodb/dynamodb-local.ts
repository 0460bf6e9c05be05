import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { ModelTableDefinition } from '../appsync/transform-data-schema';
import { ensureStreamRecordIndex, SHARED_DB_FILE } from './stream-record-index';

/** Dummy credentials DynamoDB Local accepts (it checks only that some are present). */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_REGION = 'us-east-1';

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  endpoint: string;
  client: DynamoDBClient;
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would; for fault-injection tests. */
  kill(): Promise<void>;
}

/**
 * Starts the DynamoDB Local jar shipped in `amplify-dynamodb-simulator`, data kept in `dbPath`; waits until it answers.
 * First gives the jar's stream records table its two indexes (stream-record-index.ts). The jar writes its schema
 * only at its first request, so a new data directory costs one extra start and stop of the jar.
 * (The jar has no bind-address option: it listens on all interfaces.)
 */
export async function startDynamoDbLocal(options: {
  dbPath: string;
  port: number;
  log: (line: string) => void;
  /** false: start the jar on its own schema as shipped, without the indexes; only for bench/stream-record-index.ts's reference. */
  indexStreamRecords?: boolean;
}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const dbPath = resolve(options.dbPath);
  mkdirSync(dbPath, { recursive: true });
  if (options.indexStreamRecords !== false) {
    if (!existsSync(join(dbPath, SHARED_DB_FILE))) {
      const first = await launchJar(dbPath, options.port);
      first.client.destroy();
      await stopProcess(first.java);
    }
    const indexed = await ensureStreamRecordIndex(dbPath);
    if (indexed !== 'already-present' && indexed !== 'added')
      options.log(
        `dynamodb: stream records table not indexed (${indexed}); operations slow as records grow`,
      );
  }
  const { java, client, endpoint } = await launchJar(dbPath, options.port);
  java.stderr?.on('data', (chunk: Buffer) => options.log(`dynamodb: ${chunk.toString().trim()}`));
  return {
    endpoint,
    client,
    stop: async () => {
      client.destroy();
      await stopProcess(java);
    },
    kill: async () => {
      client.destroy();
      if (java.exitCode !== null || java.signalCode !== null) return;
      const exited = new Promise<void>((done) => java.once('exit', () => done()));
      java.kill('SIGKILL');
      await exited;
    },
  };
}

/** Spawns the jar on `dbPath` and waits until it answers; stops it again if it does not. */
async function launchJar(
  dbPath: string,
  port: number,
): Promise<{ java: ChildProcess; client: DynamoDBClient; endpoint: string }> {
  const emulatorDir = join(
    dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
    'emulator',
  );
  const java = spawn(
    'java',
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      '-dbPath',
      dbPath,
    ],
    { cwd: emulatorDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  killWithParent(java);
  const output: string[] = [];
  const remember = (chunk: Buffer) => output.push(chunk.toString());
  java.stdout.on('data', remember);
  java.stderr.on('data', remember);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  try {
    await waitUntilAnswering(client, java, port, () => output.join(''));
  } catch (error) {
    client.destroy();
    await stopProcess(java);
    throw error;
  }
  java.stdout.off('data', remember);
  java.stderr.off('data', remember);
  // Keep the pipe drained: an unread stdout would fill and stall the jar.
  java.stdout.resume();
  return { java, client, endpoint };
}

/** Creates the model tables (streams NEW_AND_OLD_IMAGES) that do not exist yet; returns each table's stream ARN. */
export async function ensureModelTables(
  client: DynamoDBClient,
  tables: { name: string; definition: ModelTableDefinition }[],
): Promise<Map<string, string>> {
  const { TableNames: existing = [] } = await client.send(new ListTablesCommand({}));
  const streamArns = new Map<string, string>();
  for (const { name, definition } of tables) {
    if (!existing.includes(name)) {
      await client.send(
        new CreateTableCommand({
          TableName: name,
          KeySchema: toKeySchema(definition.keySchema),
          AttributeDefinitions: definition.attributeDefinitions.map((a) => ({
            AttributeName: a.attributeName,
            AttributeType: a.attributeType,
          })),
          BillingMode: 'PAY_PER_REQUEST',
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
          GlobalSecondaryIndexes:
            definition.globalSecondaryIndexes.length > 0
              ? definition.globalSecondaryIndexes.map((index) => ({
                  IndexName: index.indexName,
                  KeySchema: toKeySchema(index.keySchema),
                  Projection: { ProjectionType: index.projectionType },
                }))
              : undefined,
        }),
      );
    }
    const Table = await addMissingIndexes(client, name, definition);
    if (!Table?.LatestStreamArn)
      throw new Error(`DynamoDB Local: table ${name} has no stream; expected NEW_AND_OLD_IMAGES`);
    streamArns.set(name, Table.LatestStreamArn);
  }
  return streamArns;
}

/**
 * Adds the indexes a table kept under `.local/` lacks because the schema gained them later, one at a time
 * as DynamoDB requires, and waits for each to be ACTIVE: what CloudFormation does to the cloud's table.
 */
async function addMissingIndexes(
  client: DynamoDBClient,
  name: string,
  definition: ModelTableDefinition,
): Promise<TableDescription | undefined> {
  let { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  for (const index of definition.globalSecondaryIndexes) {
    if (Table?.GlobalSecondaryIndexes?.some((have) => have.IndexName === index.indexName)) continue;
    const keys = new Set(index.keySchema.map((key) => key.attributeName));
    await client.send(
      new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: definition.attributeDefinitions
          .filter((a) => keys.has(a.attributeName))
          .map((a) => ({ AttributeName: a.attributeName, AttributeType: a.attributeType })),
        GlobalSecondaryIndexUpdates: [
          {
            Create: {
              IndexName: index.indexName,
              KeySchema: toKeySchema(index.keySchema),
              Projection: { ProjectionType: index.projectionType },
            },
          },
        ],
      }),
    );
    const deadline = Date.now() + 60_000;
    for (;;) {
      ({ Table } = await client.send(new DescribeTableCommand({ TableName: name })));
      const added = Table?.GlobalSecondaryIndexes?.find(
        (have) => have.IndexName === index.indexName,
      );
      if (added?.IndexStatus === 'ACTIVE') break;
      if (Date.now() > deadline)
        throw new Error(
          `DynamoDB Local: index ${index.indexName} of ${name} did not become ACTIVE in 60 s`,
        );
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  return Table;
}

function toKeySchema(keys: ModelTableDefinition['keySchema']) {
  return keys.map((key) => ({ AttributeName: key.attributeName, KeyType: key.keyType }));
}

function assertJavaAvailable(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs Java 17 or later, but `java` was not found on PATH. Install it: `apt-get install -y openjdk-17-jre-headless`.',
    );
  }
}

const STARTUP_WAIT_MS = 120_000;

async function waitUntilAnswering(
  client: DynamoDBClient,
  java: ChildProcess,
  port: number,
  output: () => string,
): Promise<void> {
  // A JVM starting on a busy 2-core machine can take most of a minute; a dead one is caught at once above.
  const deadline = Date.now() + STARTUP_WAIT_MS;
  while (Date.now() < deadline) {
    if (java.exitCode !== null) {
      const text = output();
      if (/Address already in use|BindException/.test(text)) {
        throw new Error(
          `DynamoDB Local could not start: port ${port} is already in use. Stop whatever uses it or choose another port.`,
        );
      }
      throw new Error(
        `DynamoDB Local exited with code ${java.exitCode}: ${text.trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      return;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  throw new Error(`DynamoDB Local did not answer within ${STARTUP_WAIT_MS / 1000} s`);
}

/**
 * Kills the child when this process exits without having stopped it (a crash, a test runner tearing down), so no
 * Java or cognito-local is left behind. (A SIGKILL of this process cannot be caught; nothing helps there.)
 */
export function killWithParent(child: ChildProcess): void {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}

/** Stops a child process: SIGTERM, then SIGKILL if it is still alive after 3 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}
