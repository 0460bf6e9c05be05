import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { createJobStoreFromFunctionEnv, type DataClientEnv } from './appsync-job-store';
import { withDynamoReads } from './dynamo-job-reads';
import { createRemotionLambdaRenderer } from './remotion-lambda-renderer';
import { createLazyHandler } from './sqs-handler';
import { createPowertoolsJobMetrics, createRenderMetrics } from './powertools-job-metrics';
import { RENDER_METRICS } from './render-metrics';
import { createSqsJobQueue } from './sqs-job-queue';
import {
  createDeadLetterKeeperFromFunctionEnv,
  createSpendGuardFromFunctionEnv,
} from './spend-guard-from-env';
import { systemClock } from './system-clock';
import { wireRenderWorker } from './wire-render-worker';
import { parseWorkerEnv } from './worker-config';
import { POLL_INTERVAL_WITH_WEBHOOK_MS } from './worker-context';
import { createWebhookSecretReader } from '../remotion-webhook/webhook-secret';

// Read once, at cold start: a misconfigured function fails loudly, naming the variable.
const env = parseWorkerEnv(process.env);

// JSON log lines (jobId, renderId, ownerSub) and metrics as embedded metric format: both just stdout.
const logger = new Logger({ serviceName: RENDER_METRICS.service });
const metrics = createPowertoolsJobMetrics(
  createRenderMetrics(process.env.AWS_LAMBDA_FUNCTION_NAME ?? RENDER_METRICS.service),
  (error) => logger.error('Could not write a render metric', { error }),
);

const isDeadLetter = (record: SQSRecord) => record.eventSourceARN === env.RENDER_DLQ_ARN;
const isWakeUp = (record: SQSRecord) => record.eventSourceARN === env.WAKE_QUEUE_ARN;

// Remotion's webhook ends each job as soon as its render ends (docs/architecture.md, "Completion from Remotion's webhook").
const webhook =
  env.REMOTION_WEBHOOK_URL && env.REMOTION_WEBHOOK_SECRET_ARN
    ? {
        url: env.REMOTION_WEBHOOK_URL,
        secret: createWebhookSecretReader({
          secrets: new SecretsManagerClient({}),
          secretArn: env.REMOTION_WEBHOOK_SECRET_ARN,
        }),
      }
    : undefined;

// Built at cold start too, so a function name Remotion cannot read progress by fails loudly here.
const renderer = createRemotionLambdaRenderer({
  functionName: env.REMOTION_FUNCTION_NAME,
  serveUrl: env.REMOTION_SERVE_URL,
  region: env.REMOTION_REGION,
  outputBucket: env.OUTPUT_BUCKET_NAME,
  outputPrefix: env.OUTPUT_PREFIX,
  remotionBucket: env.REMOTION_BUCKET_NAME,
  concurrencyPerRender: env.REMOTION_CONCURRENCY_PER_RENDER,
  ...(webhook ? { webhook } : {}),
});

// The job store reads its settings over the network: a failed read is retried by the next invocation.
const lazy = createLazyHandler(async () => {
  const sqs = new SQSClient({});
  const queue = createSqsJobQueue({
    client: sqs,
    queueUrl: env.RENDER_QUEUE_URL,
    deadLetterQueueUrl: env.RENDER_DLQ_URL,
  });
  // Job writes through AppSync (subscriptions); reads and slots on the tables (docs/architecture.md, "Data flow").
  const store = withDynamoReads(
    await createJobStoreFromFunctionEnv(process.env as DataClientEnv),
    new DynamoDBClient({}),
    { jobTable: env.JOB_TABLE_NAME, renderSlotTable: env.RENDER_SLOT_TABLE_NAME },
  );
  return wireRenderWorker({
    store,
    renderer,
    queue,
    clock: systemClock,
    settings: {
      renderCap: env.RENDER_CAP,
      maxActiveJobsPerUser: env.MAX_ACTIVE_JOBS_PER_USER,
      maxReceiveCount: env.MAX_RECEIVE_COUNT,
      retentionDays: env.OUTPUT_RETENTION_DAYS,
      // The webhook ends the job; polling feeds the progress bar and is the fallback.
      ...(webhook ? { pollIntervalMs: POLL_INTERVAL_WITH_WEBHOOK_MS } : {}),
    },
    renderLimits:
      env.REMOTION_CONCURRENCY_PER_RENDER && env.REMOTION_TIMEOUT_SECONDS
        ? {
            remotionTimeoutSeconds: env.REMOTION_TIMEOUT_SECONDS,
            renderersPerRender: env.REMOTION_CONCURRENCY_PER_RENDER,
          }
        : undefined,
    isDeadLetter,
    isWakeUp,
    log: (message, details) => logger.info(message, details ?? {}),
    metrics,
    // Budgets and quota (docs/architecture.md, "Spend guard"); dead letters kept for the Operations view.
    spendGuard: createSpendGuardFromFunctionEnv(process.env, systemClock),
    keepDeadLetter: createDeadLetterKeeperFromFunctionEnv(systemClock),
  }).handler;
});
// Start during the init phase; a failure there is logged and the first invocation builds again.
lazy.prepare();

/** Lambda entry for the render queue, the wake-up queue and their DLQ: tags the logs with the invocation, the rest lives in the core. */
export const handler = (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  return lazy.handler(event, context);
};
