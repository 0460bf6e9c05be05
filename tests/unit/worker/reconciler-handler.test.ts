// The job reconciler's Lambda entry: settings from its environment, the data API over IAM, SendMessage for a lost
// job, and one log line that is both the run's summary and its CloudWatch metric (embedded metric format).
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RECONCILER_METRIC } from '../../../amplify/functions/job-reconciler/reconciler-metric';
import { startFakeAppSync } from '../../support/worker-fakes';

const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-queue';
const LONG_AGO = '2020-01-01T00:00:00.000Z';

describe('job reconciler Lambda handler', () => {
  const s3 = mockClient(S3Client);
  const sqs = mockClient(SQSClient);
  let appSync: Awaited<ReturnType<typeof startFakeAppSync>>;

  beforeAll(async () => {
    appSync = await startFakeAppSync(({ query }) => {
      if (query.includes('listRenderSlots'))
        return { data: { listRenderSlots: { items: [], nextToken: null } } };
      if (query.includes('updateJob'))
        return { data: { updateJob: { id: 'lost', owner: 'sub-1' } } };
      const lost = {
        id: 'lost',
        owner: 'sub-1',
        status: null,
        cancelRequested: null,
        createdAt: LONG_AGO,
        updatedAt: LONG_AGO,
      };
      return { data: { listJobs: { items: [lost], nextToken: null } } };
    });
    s3.on(GetObjectCommand).resolves({ Body: { transformToString: async () => '{}' } as never });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    for (const [name, value] of Object.entries({
      AWS_ACCESS_KEY_ID: 'AKIDRECONCILER',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_REGION: 'eu-central-1',
      AWS_LAMBDA_FUNCTION_NAME: 'amplify-job-reconciler-abc',
      AMPLIFY_DATA_DEFAULT_NAME: 'data',
      DATA_GRAPHQL_ENDPOINT: appSync.url,
      DATA_MODEL_INTROSPECTION_SCHEMA_BUCKET_NAME: 'amplify-bucket',
      DATA_MODEL_INTROSPECTION_SCHEMA_KEY: 'modelIntrospectionSchema.json',
      RENDER_QUEUE_URL: QUEUE_URL,
      MAX_ACTIVE_JOBS_PER_USER: '3',
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

  it('re-enqueues a lost job and logs its summary as a metric line', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    // Powertools Logger writes its JSON lines to stdout itself.
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const { handler } = await import('../../../amplify/functions/job-reconciler/handler');

    const summary = await handler();
    const lines = log.mock.calls.map((call) => String(call[0]));
    log.mockRestore();
    stdout.mockRestore();

    expect(summary).toMatchObject({ requeued: { queued: ['lost'] }, acted: 1, errors: [] });
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      { QueueUrl: QUEUE_URL, MessageBody: '{"jobId":"lost"}', DelaySeconds: 0 },
    ]);
    expect(
      appSync.requests.every((request) =>
        /^AWS4-HMAC-SHA256 Credential=AKIDRECONCILER\//.test(request.headers.authorization ?? ''),
      ),
    ).toBe(true);
    const line = JSON.parse(lines.at(-1) ?? 'null') as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] };
    };
    expect(line).toMatchObject({
      reconciled: 1,
      [RECONCILER_METRIC.acted]: 1,
      [RECONCILER_METRIC.errors]: 0,
      [RECONCILER_METRIC.dimension]: 'amplify-job-reconciler-abc',
    });
    expect(line._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: RECONCILER_METRIC.namespace,
      Dimensions: [[RECONCILER_METRIC.dimension]],
    });
    expect(line._aws.CloudWatchMetrics[0]!.Metrics.map((metric) => metric.Name)).toEqual([
      RECONCILER_METRIC.acted,
      RECONCILER_METRIC.errors,
    ]);
    // And a line per job it acted on, carrying the job's id: one query on jobId follows the job through here too.
    const jsonLines = written
      .join('')
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(jsonLines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        service: 'job-reconciler',
        message: 'job re-enqueued',
        jobId: 'lost',
        reason: 'queued',
      }),
    );
  });

  it('names a missing or malformed queue URL, with what came', async () => {
    const { parseReconcilerEnv } =
      await import('../../../amplify/functions/job-reconciler/handler');

    expect(() => parseReconcilerEnv({})).toThrow(
      /RENDER_QUEUE_URL must be the URL of the render SQS queue, but got nothing \(unset\)/,
    );
    expect(() => parseReconcilerEnv({ RENDER_QUEUE_URL: 'render-queue' })).toThrow(
      /but got "render-queue"/,
    );
    expect(() =>
      parseReconcilerEnv({ RENDER_QUEUE_URL: QUEUE_URL, MAX_ACTIVE_JOBS_PER_USER: 'three' }),
    ).toThrow(/MAX_ACTIVE_JOBS_PER_USER must be a whole number from 1 to 100, but got "three"/);
  });
});
