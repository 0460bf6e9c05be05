import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, DynamoDBBatchResponse } from 'aws-lambda';
import { z } from 'zod';
import { BATCH_PROGRESS_INTERVAL_MS } from '../../../contract/batch-contract';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import type { DataClientEnv } from '../render-worker/appsync-job-store';
import { cloudWebhookPorts } from '../webhooks/cloud-ports';
import { createEndingStreamHandler } from '../webhooks/wire-webhooks';
import { createAppSyncBatchWrites } from './appsync-batch-writes';
import {
  createBatchProgressScheduler,
  recountBatch,
  type BatchProgressScheduler,
} from './batch-progress';
import { createDynamoBatchTables } from './dynamo-batch-tables';
import { createGraphqlTransportFromFunctionEnv } from './graphql-from-env';
import { createJobStreamHandler, type JobTableStreamRecord } from './job-stream-handler';

const envSchema = z.object({
  BATCH_TABLE_NAME: z.string().min(1, { error: 'BATCH_TABLE_NAME must name the Batch table' }),
  JOB_TABLE_NAME: z.string().min(1, { error: 'JOB_TABLE_NAME must name the Job table' }),
});

const logger = new Logger({ serviceName: 'batch-progress' });
type Handle = ReturnType<typeof createJobStreamHandler>;
/** Time kept back from the function's timeout when waiting for a recount: the answer must still be returned. */
const ANSWER_MARGIN_MS = 20_000;
// Built once per container: the scheduler remembers when each batch was last written across invocations.
let handle: Handle | undefined;

const build = async (): Promise<Handle> => {
  const env = readEnv(envSchema, process.env, {
    what: "The batch-progress function's environment",
    fix: FUNCTION_ENV_FIX,
  });
  const deps = {
    tables: createDynamoBatchTables({
      names: { batchTable: env.BATCH_TABLE_NAME, jobTable: env.JOB_TABLE_NAME },
    }),
    writes: createAppSyncBatchWrites(
      await createGraphqlTransportFromFunctionEnv(process.env as DataClientEnv),
    ),
    now: Date.now,
  };
  const progress: BatchProgressScheduler = createBatchProgressScheduler({
    recount: (batchId) => recountBatch(deps, batchId),
    intervalMs: BATCH_PROGRESS_INTERVAL_MS,
    log: (message, details) => logger.error(message, details ?? {}),
  });
  // Job endings to webhook endpoints: the fan-out's own code and ports, without the signing-secret key.
  const fanOutEndings = createEndingStreamHandler(
    await cloudWebhookPorts((message, details) => logger.info(message, details ?? {}), {
      readsSecrets: false,
    }),
  );
  return createJobStreamHandler({ progress, fanOutEndings });
};

/**
 * Lambda entry for the Job table's stream, the one Lambda event source on it (batch rows and job endings, by its
 * filters; job-stream-handler.ts): every batch touched is recounted, at most once per interval, and every job's
 * ending is queued to its owner's webhook endpoints. The invocation ends only after the recount that follows its
 * last record, so no change is left uncounted; a failed fan-out is reported by sequence number and read again.
 */
export const handler = async (
  event: { Records: JobTableStreamRecord[] },
  context: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<DynamoDBBatchResponse> => {
  handle ??= await build();
  const result = await handle(event, {
    waitMs: context.getRemainingTimeInMillis() - ANSWER_MARGIN_MS,
  });
  logger.info('job stream records handled', {
    records: event.Records.length,
    failedFrom: result.batchItemFailures[0]?.itemIdentifier ?? null,
  });
  return result;
};
