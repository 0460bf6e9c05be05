// The batch functions in the synthesized backend (issue 12): each one's exact grants, judged by the IAM simulator on
// the DynamoDB and SQS calls their real adapters make (recorded, not hand-written), and the progress writer's
// event source on the Job table's stream. Local mode runs the same handlers but enforces no IAM.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchRecord } from '../../amplify/functions/batches/batch-ports';
import { recountBatch } from '../../amplify/functions/batches/batch-progress';
import { batchIdFor, createBatchService } from '../../amplify/functions/batches/batch-service';
import {
  createDynamoBatchTables,
  ROWS_INDEX,
} from '../../amplify/functions/batches/dynamo-batch-tables';
import { createLedgerRenderQuota } from '../../amplify/functions/batches/spend-ledger-quota';
import { createSqsRowQueue } from '../../amplify/functions/batches/sqs-row-queue';
import { createDynamoSpendLedger } from '../../amplify/functions/render-worker/dynamo-spend-ledger';
import { batchJobId } from '../../contract/batch-contract';
import { parseInputProps } from '../../remotion/catalog';
import { readPipelineConfig } from '../../amplify/render-pipeline/config';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  createStubTransport,
  jsonAnswer,
  queueArnOfUrl,
  recordSdkCalls,
  type AwsCall,
} from '../support/aws-call-recorder';
import { simulateAwsCall } from '../support/simulate-aws-calls';
import {
  FAKE_ACCOUNT,
  FAKE_REGION,
  loadSynthesizedAccount,
  type FunctionFacts,
  type SynthesizedAccount,
} from '../support/template-resolver';
import { FAKE_CREDENTIALS } from './recorded-function-calls';
import { synthesizeForTests, type SynthesizedBackend } from './synthesized-backend';

const OWNER = 'sub-1::sub-1';
// The synth child process sees this same environment, so this is the config it used.
const config = readPipelineConfig(process.env);
const tableArn = (name: string) => `arn:aws:dynamodb:${FAKE_REGION}:${FAKE_ACCOUNT}:table/${name}`;

/**
 * A DynamoDB document client that records each command as the call IAM authorizes (table or index ARN) and answers
 * as an empty table would, with one batch in it.
 */
const recordingDynamoClient = (
  principal: string,
  calls: AwsCall[],
  batch: BatchRecord,
  rowStatus: string,
) => ({
  send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const operation = command.constructor.name.replace(/Command$/, '');
    const input = command.input;
    // IAM authorizes a transaction's actions as the underlying calls: each Put as PutItem on its table (AWS,
    // "Using IAM with DynamoDB transactions"); there is no TransactWriteItems action to grant.
    if (operation === 'TransactWrite') {
      for (const item of input.TransactItems as Record<string, { TableName: string }>[]) {
        const [kind, action] = Object.entries(item)[0]!;
        calls.push({
          principal,
          action: `dynamodb:${kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`,
          resource: tableArn(action.TableName),
          context: {},
          source: `batch adapter (TransactWrite ${kind})`,
        });
      }
      return {};
    }
    const tables =
      operation === 'BatchGet'
        ? Object.keys(input.RequestItems as object)
        : [String(input.TableName)];
    for (const table of tables)
      calls.push({
        principal,
        action: `dynamodb:${operation === 'BatchGet' ? 'BatchGetItem' : operation === 'Get' || operation === 'Put' || operation === 'Update' ? `${operation}Item` : operation}`,
        resource: input.IndexName
          ? `${tableArn(table)}/index/${String(input.IndexName)}`
          : tableArn(table),
        context: {},
        source: `batch adapter (${operation})`,
      });
    const row = { id: batchJobId(batch.id, 0), rowIndex: 0, status: rowStatus };
    if (operation === 'Get')
      return { Item: (input.Key as { id: string }).id === batch.id ? { ...batch } : undefined };
    if (operation === 'Update') return { Attributes: { addedRows: batch.rowCount } };
    if (operation === 'Query') return { Items: input.IndexName === ROWS_INDEX ? [row] : [] };
    if (operation === 'BatchGet') return { Responses: { [tables[0]!]: [row] } };
    return {};
  },
});

const recordingSqsClient = (principal: string, calls: AwsCall[]) => ({
  send: async (command: { input: Record<string, unknown> }) => {
    calls.push({
      principal,
      action: 'sqs:SendMessage',
      resource: queueArnOfUrl(String(command.input.QueueUrl)),
      context: {},
      source: 'row queue (SendMessageBatch)',
    });
    return { Failed: [] };
  },
});

describe('the batch functions in the synthesized backend', () => {
  let backend: SynthesizedBackend;
  let account: SynthesizedAccount;
  let batches: FunctionFacts;
  let progress: FunctionFacts;
  let tables: { batchTable: string; jobTable: string; ledgerTable: string };
  const batchCalls: AwsCall[] = [];
  const progressCalls: AwsCall[] = [];

  const deny = async (call: Omit<AwsCall, 'context' | 'source'>) =>
    simulateAwsCall(account, { ...call, context: {}, source: 'not granted' });

  beforeAll(async () => {
    backend = synthesizeForTests();
    account = loadSynthesizedAccount(backend.outDir);
    const withTables = account.functions().filter((fn) => 'BATCH_TABLE_NAME' in fn.environment);
    batches = withTables.find((fn) => 'ROW_QUEUE_URL' in fn.environment)!;
    progress = withTables.find((fn) => !('ROW_QUEUE_URL' in fn.environment))!;
    expect(withTables).toHaveLength(2);
    tables = {
      batchTable: batches.environment.BATCH_TABLE_NAME!,
      jobTable: batches.environment.JOB_TABLE_NAME!,
      ledgerTable: batches.environment.SPEND_LEDGER_TABLE_NAME!,
    };
    // Every DynamoDB and SQS call the batches function's adapters make, from a real run of its service.
    const id = batchIdFor(OWNER, 'token-0001');
    const stored: BatchRecord = {
      id,
      owner: OWNER,
      compositionId: 'title-card',
      status: 'FINISHED',
      rowCount: 1,
      addedRows: 1,
      queued: 0,
      rendering: 0,
      succeeded: 0,
      failed: 1,
      cancelled: 0,
      progress: 1,
      costUsd: 0,
      clientToken: 'token-0001',
      createdAt: '2026-12-05T08:00:00.000Z',
      updatedAt: '2026-12-05T08:00:00.000Z',
      finishedAt: '2026-12-05T08:00:00.000Z',
    };
    const ledgerClient = new DynamoDBClient({
      region: FAKE_REGION,
      credentials: FAKE_CREDENTIALS,
      requestHandler: createStubTransport(() =>
        jsonAnswer({ Item: { ledgerKey: { S: 'user#sub-1#2026-12-05' }, renders: { N: '3' } } }),
      ),
    });
    recordSdkCalls(
      ledgerClient,
      { calls: batchCalls, record: (call) => batchCalls.push(call) },
      {
        principal: batches.roleArn,
        service: 'dynamodb',
        source: 'batches spend ledger',
        resourceOf: (_, input) => tableArn(String(input.TableName)),
      },
    );
    const service = createBatchService({
      tables: createDynamoBatchTables({
        names: tables,
        client: recordingDynamoClient(
          batches.roleArn,
          batchCalls,
          { ...stored, status: 'OPEN' },
          'FAILED',
        ) as never,
      }),
      writes: {
        updateBatch: async () => stored,
        cancelRow: async () => 'cancelled',
        requeueRow: async () => true,
      },
      queue: createSqsRowQueue(
        recordingSqsClient(batches.roleArn, batchCalls) as never,
        batches.environment.ROW_QUEUE_URL!,
      ),
      // The worker's ledger adapter on a real client, reading the owner's day entry as the quota check does.
      renderQuota: createLedgerRenderQuota(
        createDynamoSpendLedger(ledgerClient, tables.ledgerTable),
        Number(batches.environment.DAILY_RENDERS_PER_USER),
      ),
      parseInputProps,
      isComposition: () => true,
      rowsWokenPerRequest: Number(batches.environment.MAX_ACTIVE_JOBS_PER_USER),
      now: Date.now,
    });
    // Rows wait in the table; the function wakes as many as the per-user limit lets one owner render.
    expect(batches.environment.MAX_ACTIVE_JOBS_PER_USER).toBe(String(config.maxActiveJobsPerUser));
    await service.createBatch(OWNER, {
      clientToken: 'token-0002',
      compositionId: 'title-card',
      rowCount: 1,
    });
    await service.addBatchRows(OWNER, { batchId: id, firstRowIndex: 0, rows: [{ title: 'a' }] });
    await service.retryBatchRows(OWNER, { batchId: id });
    await service.cancelBatch(OWNER, id);
    await recountBatch(
      {
        tables: createDynamoBatchTables({
          names: tables,
          client: recordingDynamoClient(progress.roleArn, progressCalls, stored, 'QUEUED') as never,
        }),
        writes: {
          updateBatch: async () => stored,
          cancelRow: async () => 'ended',
          requeueRow: async () => false,
        },
        now: Date.now,
      },
      id,
    );
  }, 300_000);

  afterAll(() => {
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  it('lets the batches function make every call its adapters make', async () => {
    const actions = [
      ...new Set(batchCalls.map((call) => `${call.action} ${call.resource.split(':').at(-1)}`)),
    ];
    expect(actions).toEqual(
      expect.arrayContaining([
        `dynamodb:PutItem table/${tables.batchTable}`,
        `dynamodb:PutItem table/${tables.jobTable}`,
        `dynamodb:Query table/${tables.batchTable}/index/batchesByOwnerAndCreatedAt`,
        `dynamodb:Query table/${tables.jobTable}/index/${ROWS_INDEX}`,
        `dynamodb:BatchGetItem table/${tables.jobTable}`,
        `dynamodb:UpdateItem table/${tables.batchTable}`,
        `sqs:SendMessage ${queueArnOfUrl(batches.environment.ROW_QUEUE_URL!).split(':').at(-1)}`,
      ]),
    );
    // The quota it checks at submit is the one the worker's spend guard enforces.
    expect(batches.environment.DAILY_RENDERS_PER_USER).toBe(
      account.functionWithEnvironment('REMOTION_SERVE_URL').environment.DAILY_RENDERS_PER_USER,
    );
    // The ledger is read, never written: the worker's spend guard is its only writer.
    expect(
      new Set(
        batchCalls
          .filter((call) => call.resource.endsWith(`table/${tables.ledgerTable}`))
          .map((call) => call.action),
      ),
    ).toEqual(new Set(['dynamodb:GetItem']));
    const refused = [];
    for (const call of batchCalls) {
      const verdict = await simulateAwsCall(account, call);
      if (!verdict.allowed) refused.push(verdict.explanation);
    }
    expect(refused).toEqual([]);
  });

  it('lets the progress writer make every call its adapter makes, reading only', async () => {
    expect(new Set(progressCalls.map((call) => call.action))).toEqual(
      new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']),
    );
    for (const call of progressCalls)
      expect((await simulateAwsCall(account, call)).allowed).toBe(true);
  });

  it('refuses them everything else: other writes, other tables, scans, the DLQ', async () => {
    const renderSlotTable = tables.jobTable.replace(/^Job-/, 'RenderSlot-');
    const dlq = queueArnOfUrl(
      account.functionWithEnvironment('REMOTION_SERVE_URL').environment.RENDER_DLQ_URL!,
    );
    const refusals = [
      {
        principal: batches.roleArn,
        action: 'dynamodb:DeleteItem',
        resource: tableArn(tables.jobTable),
      },
      {
        principal: batches.roleArn,
        action: 'dynamodb:UpdateItem',
        resource: tableArn(tables.jobTable),
      },
      { principal: batches.roleArn, action: 'dynamodb:Scan', resource: tableArn(tables.jobTable) },
      {
        principal: batches.roleArn,
        action: 'dynamodb:PutItem',
        resource: tableArn(renderSlotTable),
      },
      {
        principal: batches.roleArn,
        action: 'dynamodb:DeleteItem',
        resource: tableArn(tables.batchTable),
      },
      { principal: batches.roleArn, action: 'sqs:SendMessage', resource: dlq },
      // The spend ledger: read only (a write would let a caller spend or refund renders).
      ...['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Query'].map(
        (action) => ({
          principal: batches.roleArn,
          action,
          resource: tableArn(tables.ledgerTable),
        }),
      ),
      {
        principal: progress.roleArn,
        action: 'dynamodb:GetItem',
        resource: tableArn(tables.ledgerTable),
      },
      {
        principal: progress.roleArn,
        action: 'dynamodb:PutItem',
        resource: tableArn(tables.jobTable),
      },
      {
        principal: progress.roleArn,
        action: 'dynamodb:UpdateItem',
        resource: tableArn(tables.batchTable),
      },
      {
        principal: progress.roleArn,
        action: 'sqs:SendMessage',
        resource: queueArnOfUrl(batches.environment.ROW_QUEUE_URL!),
      },
    ];
    for (const call of refusals)
      expect((await deny(call)).allowed, `${call.action} on ${call.resource}`).toBe(false);
  });

  it('feeds the progress writer from the Job stream: batch rows and job endings, a one-second window, partial failures, a DLQ', () => {
    const data = backend.nested('data');
    const mappings = Object.values(data.json.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(resource.Properties?.EventSourceArn ?? '').includes('StreamArn') &&
        JSON.stringify(resource.Properties?.FunctionName ?? '').includes(progress.logicalId),
    );
    expect(mappings).toHaveLength(1);
    const properties = mappings[0]!.Properties!;
    expect(JSON.stringify(properties.EventSourceArn)).toMatch(/Job/);
    expect(properties).toMatchObject({
      StartingPosition: 'LATEST',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 1,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // Job endings that could not be fanned out land where the fan-out's own failures do, under its alarm.
    expect(JSON.stringify(properties.DestinationConfig)).toMatch(/WebhookFanoutDeadLetterQueue/);
    const patterns = (properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map(
      (filter) => JSON.parse(filter.Pattern) as unknown,
    );
    expect(patterns).toEqual([
      { dynamodb: { NewImage: { batchId: { S: [{ exists: true }] } } } },
      { dynamodb: { OldImage: { batchId: { S: [{ exists: true }] } } } },
      {
        eventName: ['MODIFY'],
        dynamodb: { NewImage: { status: { S: ['SUCCEEDED', 'FAILED', 'CANCELLED'] } } },
      },
    ]);
    // Its timeout covers a full batch of job endings for an owner with the most endpoints, one send each.
    const fn = backend
      .all()
      .map(({ json }) => json.Resources[progress.logicalId])
      .find((resource) => resource?.Type === 'AWS::Lambda::Function');
    expect(fn?.Properties?.Timeout).toBe(300);
  });

  it('reads the Job stream with two readers, the most DynamoDB Streams allows per shard', () => {
    // Every reader of a stream in any stack: Lambda event sources and EventBridge Pipes, by the stream they name.
    const readers = backend
      .all()
      .flatMap((stack) =>
        Object.entries(stack.json.Resources).flatMap(([id, resource]) => {
          if (resource.Type === 'AWS::Lambda::EventSourceMapping')
            return [
              {
                id,
                type: resource.Type,
                stream: JSON.stringify(resource.Properties?.EventSourceArn ?? ''),
              },
            ];
          if (resource.Type === 'AWS::Pipes::Pipe')
            return [
              {
                id,
                type: resource.Type,
                stream: JSON.stringify(resource.Properties?.Source ?? ''),
              },
            ];
          return [];
        }),
      )
      .filter(({ stream }) => /Stream/.test(stream));
    const jobReaders = readers.filter(({ stream }) => /Job/.test(stream));
    expect(jobReaders, JSON.stringify(jobReaders)).toHaveLength(2);
    expect(jobReaders.map(({ type }) => type).sort()).toEqual([
      'AWS::Lambda::EventSourceMapping',
      'AWS::Pipes::Pipe',
    ]);
    // The Batch stream: its one reader is the fan-out's.
    expect(readers.filter(({ stream }) => /Batch/.test(stream))).toHaveLength(1);
  });

  it('feeds the webhook fan-out from the Batch stream only, filtered to stamped ends', () => {
    const fanout = account.functions().find((fn) => fn.amplifyName === 'webhook-fanout')!;
    expect(fanout, 'the webhook-fanout function').toBeDefined();
    const mappings = Object.values(backend.nested('data').json.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::Lambda::EventSourceMapping' &&
        JSON.stringify(resource.Properties?.FunctionName ?? '').includes(fanout.logicalId),
    );
    const sourceOf = (table: RegExp) =>
      mappings.find((mapping) => table.test(JSON.stringify(mapping.Properties?.EventSourceArn)))
        ?.Properties;
    const batchSource = sourceOf(/Batch/);
    expect(mappings).toHaveLength(1);
    expect(
      sourceOf(/Job/),
      'a Job-stream source (job endings come from the progress writer)',
    ).toBeUndefined();
    expect(batchSource).toMatchObject({
      StartingPosition: 'LATEST',
      MaximumRetryAttempts: 10,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // Failed fan-outs land in the fan-out's DLQ.
    expect(JSON.stringify(batchSource?.DestinationConfig)).toMatch(/WebhookFanoutDeadLetterQueue/);
    const patterns = (
      batchSource?.FilterCriteria as { Filters: { Pattern: string }[] }
    ).Filters.map((filter) => JSON.parse(filter.Pattern) as unknown);
    expect(patterns).toEqual([
      {
        eventName: ['MODIFY'],
        dynamodb: {
          NewImage: {
            status: { S: ['FINISHED', 'CANCELLED'] },
            finishedAt: { S: [{ exists: true }] },
          },
        },
      },
    ]);
  });
});
