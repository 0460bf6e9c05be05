import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
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

const jobs: Record<
  string,
  { id: string; owner: string; compositionId: string; inputProps: string; status: string | null }
> = {
  done: {
    id: 'done',
    owner: 'sub::alice',
    compositionId: 'title-card',
    inputProps: '{}',
    status: 'SUCCEEDED',
  },
  waiting: {
    id: 'waiting',
    owner: 'sub::alice',
    compositionId: 'title-card',
    inputProps: '{}',
    status: null,
  },
};

describe('Lambda handler wiring', () => {
  const s3 = mockClient(S3Client);
  const sqs = mockClient(SQSClient);
  let appSync: Awaited<ReturnType<typeof startFakeAppSync>>;

  beforeAll(async () => {
    appSync = await startFakeAppSync(({ query, variables }) => {
      if (query.includes('getJob'))
        return { data: { getJob: jobs[variables.id as string] ?? null } };
      if (query.includes('updateJob'))
        return { data: { updateJob: { id: 'waiting', owner: 'sub::alice' } } };
      return { data: { listJobs: { items: [], nextToken: null } } };
    });
    // What Amplify's function runtime reads: the data endpoint and the model introspection location.
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => '{}' } as never });
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
      REMOTION_FUNCTION_NAME: 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec',
      REMOTION_SERVE_URL: 'https://sites.example.com/sites/studio/index.html',
      REMOTION_REGION: 'eu-central-1',
      OUTPUT_BUCKET_NAME: 'render-studio-output',
      RENDER_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-queue',
      RENDER_DLQ_ARN: DLQ_ARN,
    })) {
      vi.stubEnv(name, value);
    }
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    s3.restore();
    sqs.restore();
    await appSync.close();
  });

  it('reads its settings from the environment and serves queue and DLQ records through AppSync (IAM)', async () => {
    const { handler } = await import('../../../amplify/functions/render-worker/handler');
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
    const update = appSync.requests.find((request) => request.body.query.includes('updateJob'));
    expect(update!.body.variables).toMatchObject({
      input: {
        id: 'waiting',
        status: 'FAILED',
        errorMessage: expect.stringMatching(/^The render service gave up after 3 attempts/),
      },
    });
  });
});
