import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFakeAppSync } from '../../support/worker-fakes';

const DLQ_ARN = 'arn:aws:sqs:eu-central-1:123456789012:render-dlq';
const QUEUE_ARN = 'arn:aws:sqs:eu-central-1:123456789012:render-queue';

const record = (body: string, eventSourceARN = QUEUE_ARN): SQSRecord => ({
  messageId: `m-${body.length}-${eventSourceARN.length}`,
  receiptHandle: 'rh',
  body,
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: '0',
    SenderId: 'pipe',
    ApproximateFirstReceiveTimestamp: '0',
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN,
  awsRegion: 'eu-central-1',
});

const JOB_TABLE = 'Job-abc-NONE';
const SLOT_TABLE = 'RenderSlot-abc-NONE';
const LEDGER_TABLE = 'SpendLedger-abc-NONE';

// As the Job table holds them: `inputProps` a map, no status on a fresh record.
const jobs: Record<
  string,
  {
    id: string;
    owner: string;
    compositionId: string;
    inputProps: Record<string, unknown>;
    status?: string;
  }
> = {
  done: {
    id: 'done',
    owner: 'sub::alice',
    compositionId: 'title-card',
    inputProps: {},
    status: 'SUCCEEDED',
  },
  waiting: {
    id: 'waiting',
    owner: 'sub::alice',
    compositionId: 'title-card',
    inputProps: {},
  },
  fresh: {
    id: 'fresh',
    owner: 'sub::alice',
    compositionId: 'title-card',
    inputProps: {},
  },
  // 8 slides of 10 s: 2,400 frames, beyond what 4 renderers finish in 120 s.
  long: {
    id: 'long',
    owner: 'sub::alice',
    compositionId: 'slideshow',
    inputProps: {
      secondsPerSlide: 10,
      slides: Array.from({ length: 8 }, () => ({ image: 'slides/aurora.svg', caption: '' })),
    },
  },
};

/** A stand-in for the Lambda invoke API (Remotion's bundled SDK honours AWS_ENDPOINT_URL_LAMBDA). */
const startFakeLambda = async (answer: (payload: Record<string, unknown>) => unknown) => {
  const payloads: Record<string, unknown>[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      const payload = JSON.parse(raw) as Record<string, unknown>;
      payloads.push(payload);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer(payload)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    payloads,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
};

describe('Lambda handler wiring', () => {
  const s3 = mockClient(S3Client);
  const sqs = mockClient(SQSClient);
  // The tables the worker reaches directly: the Job table (reads), its render slots, and the spend ledger (one
  // conditional ADD per budget entry).
  const tables = mockClient(DynamoDBDocumentClient);
  let appSync: Awaited<ReturnType<typeof startFakeAppSync>>;
  let lambda: Awaited<ReturnType<typeof startFakeLambda>>;
  let handler: (typeof import('../../../amplify/functions/render-worker/handler'))['handler'];

  beforeAll(async () => {
    // Answers by the operation's field: an empty listing, or a write that took effect.
    appSync = await startFakeAppSync(({ query, variables }) => {
      const field = /\{\s*(\w+)/.exec(query)?.[1] ?? '';
      if (field.startsWith('list')) return { data: { [field]: { items: [], nextToken: null } } };
      const input = (variables.input ?? {}) as Record<string, unknown>;
      return { data: { [field]: { owner: 'sub::alice', ...input } } };
    });
    // The Remotion start call: refused, so the job ends without tracking a render.
    lambda = await startFakeLambda(() => ({
      type: 'error',
      message: 'Could not find composition with ID title-card in the bundle',
      stack: 'Error: Could not find composition with ID title-card in the bundle',
    }));
    // What Amplify's function runtime reads: the data endpoint and the model introspection location.
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => '{}' } as never });
    tables
      .on(GetCommand)
      .callsFake((input: { TableName: string; Key: { id?: string } }) =>
        input.TableName === JOB_TABLE ? { Item: jobs[input.Key.id ?? ''] } : {},
      );
    tables.on(QueryCommand).resolves({ Items: [] });
    tables.on(PutCommand).resolves({});
    tables.on(DeleteCommand).resolves({});
    tables.on(UpdateCommand).callsFake((input: { Key: { ledgerKey: string } }) => ({
      Attributes: { ledgerKey: input.Key.ledgerKey, reservedUsd: 0.05, renders: 1, version: 1 },
    }));
    for (const [name, value] of Object.entries({
      AWS_ACCESS_KEY_ID: 'AKIDLAMBDA',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_REGION: 'eu-central-1',
      AMPLIFY_DATA_DEFAULT_NAME: 'data',
      DATA_GRAPHQL_ENDPOINT: appSync.url,
      DATA_MODEL_INTROSPECTION_SCHEMA_BUCKET_NAME: 'amplify-bucket',
      DATA_MODEL_INTROSPECTION_SCHEMA_KEY: 'modelIntrospectionSchema.json',
      RENDER_CAP: '2',
      REMOTION_FUNCTION_NAME: 'remotion-render-4-0-527-1a2b3c4d-mem2048mb-disk2048mb-120sec',
      REMOTION_CONCURRENCY_PER_RENDER: '4',
      REMOTION_TIMEOUT_SECONDS: '120',
      AWS_ENDPOINT_URL_LAMBDA: lambda.url,
      REMOTION_SERVE_URL: 'https://sites.example.com/sites/studio/index.html',
      REMOTION_REGION: 'eu-central-1',
      OUTPUT_BUCKET_NAME: 'render-studio-output',
      RENDER_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-queue',
      RENDER_DLQ_ARN: DLQ_ARN,
      SPEND_LEDGER_TABLE_NAME: LEDGER_TABLE,
      JOB_TABLE_NAME: JOB_TABLE,
      RENDER_SLOT_TABLE_NAME: SLOT_TABLE,
    })) {
      vi.stubEnv(name, value);
    }
    // The module reads its environment when loaded; loading the AWS and Remotion clients is slow on a busy machine.
    ({ handler } = await import('../../../amplify/functions/render-worker/handler'));
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    s3.restore();
    sqs.restore();
    tables.restore();
    await appSync.close();
    await lambda.close();
  });

  it('reads its settings from the environment, jobs from the Job table and writes them through AppSync (IAM)', async () => {
    const context = { getRemainingTimeInMillis: () => 600_000 } as Context;
    const malformed = record('{"id":"x"}');

    const response = await handler(
      { Records: [record('{"jobId":"done"}'), malformed, record('{"jobId":"waiting"}', DLQ_ARN)] },
      context,
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: malformed.messageId }]);
    // The malformed message is handed back at once, on its way to the DLQ.
    expect(
      sqs.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input),
    ).toEqual([
      {
        QueueUrl: 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-queue',
        ReceiptHandle: malformed.receiptHandle,
        VisibilityTimeout: 0,
      },
    ]);
    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toEqual({
      Bucket: 'amplify-bucket',
      Key: 'modelIntrospectionSchema.json',
    });
    expect(
      appSync.requests.every((request) =>
        /^AWS4-HMAC-SHA256 Credential=AKIDLAMBDA\//.test(request.headers.authorization ?? ''),
      ),
    ).toBe(true);
    // Each job read by its key from the table the environment names, strongly consistent; none through AppSync.
    expect(
      tables
        .commandCalls(GetCommand)
        .map((call) => call.args[0].input)
        .filter((input) => input.TableName === JOB_TABLE),
    ).toEqual(
      ['done', 'waiting'].map((id) => ({
        TableName: JOB_TABLE,
        Key: { id },
        ConsistentRead: true,
      })),
    );
    expect(appSync.requests.some((request) => request.body.query.includes('getJob'))).toBe(false);
    const update = appSync.requests.find((request) => request.body.query.includes('updateJob'));
    expect(update!.body.variables).toMatchObject({
      input: {
        id: 'waiting',
        status: 'FAILED',
        errorMessage: expect.stringMatching(/^The render service gave up after 3 attempts/),
      },
    });
  });

  it('starts renders with the configured fan-out and no ACL on the output', async () => {
    const context = { getRemainingTimeInMillis: () => 600_000 } as Context;

    const response = await handler({ Records: [record('{"jobId":"fresh"}')] }, context);

    expect(response.batchItemFailures).toEqual([]);
    expect(lambda.payloads).toEqual([
      expect.objectContaining({
        type: 'start',
        composition: 'title-card',
        concurrency: 4,
        privacy: 'no-acl',
      }),
    ]);
    // Admitted against the budgets in the ledger's table: the user's day, the day and the month, each one
    // atomic ADD whose condition is the ceiling.
    const additions = tables.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(additions.map((input) => input.TableName)).toEqual(Array(3).fill(LEDGER_TABLE));
    // Its render slot: a conditional put in the slot table, keyed by the owner as AppSync reports it (the part of
    // the stored `<sub>::<username>` after `::`), as the reconciler reads it.
    expect(tables.commandCalls(PutCommand).map((call) => call.args[0].input)).toContainEqual(
      expect.objectContaining({
        TableName: SLOT_TABLE,
        Item: expect.objectContaining({
          jobOwner: 'alice',
          slot: expect.any(Number),
          jobId: 'fresh',
        }),
        ConditionExpression: 'attribute_not_exists(jobOwner)',
      }),
    );
    expect(additions.map((input) => input.ConditionExpression)).toEqual([
      'attribute_not_exists(renders) OR renders <= :roomRenders',
      'attribute_not_exists(reservedUsd) OR reservedUsd <= :roomUsd',
      'attribute_not_exists(reservedUsd) OR reservedUsd <= :roomUsd',
    ]);
  });

  it('refuses a video longer than the render function can finish, before starting anything', async () => {
    const context = { getRemainingTimeInMillis: () => 600_000 } as Context;
    const started = lambda.payloads.length;

    const response = await handler({ Records: [record('{"jobId":"long"}')] }, context);

    expect(response.batchItemFailures).toEqual([]);
    expect(lambda.payloads).toHaveLength(started);
    const failed = appSync.requests
      .map((request) => request.body.variables.input as Record<string, unknown> | undefined)
      .find((input) => input?.id === 'long' && input.status === 'FAILED');
    expect(failed?.errorMessage).toMatch(
      /This video is 2400 frames .* at most 1440 frames .* REMOTION_TIMEOUT_SECONDS/,
    );
  });
});
