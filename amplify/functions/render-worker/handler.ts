import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseInputProps } from '../../../remotion/catalog';
import { createJobStoreFromFunctionEnv, type DataClientEnv } from './appsync-job-store';
import { createRenderWorker } from './job-lifecycle';
import { createRemotionLambdaRenderer } from './remotion-lambda-renderer';
import { createSqsHandler } from './sqs-handler';
import { createSqsJobQueue } from './sqs-job-queue';
import { systemClock } from './system-clock';
import { parseWorkerEnv } from './worker-config';

// Read once, at cold start: a misconfigured function fails loudly, naming the variable.
const env = parseWorkerEnv(process.env);

// Without RENDER_DLQ_ARN, a queue whose name ends in "dlq"/"dead-letter" is taken for the DLQ.
const isDeadLetter = (record: SQSRecord) =>
  env.RENDER_DLQ_ARN
    ? record.eventSourceARN === env.RENDER_DLQ_ARN
    : /(dlq|dead-?letter)$/i.test(record.eventSourceARN.split(':').pop() ?? '');

const sqsHandler = (async () => {
  const queue = createSqsJobQueue({
    client: new SQSClient({}),
    queueUrl: env.RENDER_QUEUE_URL,
    deadLetterQueueUrl: env.RENDER_DLQ_URL,
  });
  const worker = createRenderWorker({
    store: await createJobStoreFromFunctionEnv(process.env as DataClientEnv),
    renderer: createRemotionLambdaRenderer({
      functionName: env.REMOTION_FUNCTION_NAME,
      serveUrl: env.REMOTION_SERVE_URL,
      region: env.REMOTION_REGION,
      outputBucket: env.OUTPUT_BUCKET_NAME,
      outputPrefix: env.OUTPUT_PREFIX,
      remotionBucket: env.REMOTION_BUCKET_NAME,
    }),
    clock: systemClock,
    queue,
    parseInputProps,
    config: {
      renderCap: env.RENDER_CAP,
      maxActiveJobsPerUser: env.MAX_ACTIVE_JOBS_PER_USER,
      maxReceiveCount: env.MAX_RECEIVE_COUNT,
    },
    log: (message, details) => console.log(JSON.stringify({ message, ...details })),
  });
  return createSqsHandler(worker, { isDeadLetter, queue });
})();
// Surfaced by the first invocation, not as an unhandled rejection at init.
sqsHandler.catch(() => undefined);

/** Lambda entry for the render queue and its DLQ: one line, the rest lives in the core. */
export const handler = async (event: SQSEvent, context: Context) =>
  (await sqsHandler)(event, context);
