import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { z } from 'zod';
import { BATCH_PROGRESS_INTERVAL_MS } from '../../../contract/batch-contract';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import type { DataClientEnv } from '../render-worker/appsync-job-store';
import { createAppSyncBatchWrites } from './appsync-batch-writes';
import {
  createBatchProgressScheduler,
  recountBatch,
  type BatchProgressScheduler,
} from './batch-progress';
import { batchIdsOfStreamRecords } from './batch-stream-records';
import { createDynamoBatchTables } from './dynamo-batch-tables';
import { createGraphqlTransportFromFunctionEnv } from './graphql-from-env';

const envSchema = z.object({
  BATCH_TABLE_NAME: z.string().min(1, { error: 'BATCH_TABLE_NAME must name the Batch table' }),
  JOB_TABLE_NAME: z.string().min(1, { error: 'JOB_TABLE_NAME must name the Job table' }),
});

const logger = new Logger({ serviceName: 'batch-progress' });
// Built once per container: the scheduler remembers when each batch was last written across invocations.
let scheduler: BatchProgressScheduler | undefined;

const build = async (): Promise<BatchProgressScheduler> => {
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
  return createBatchProgressScheduler({
    recount: (batchId) => recountBatch(deps, batchId),
    intervalMs: BATCH_PROGRESS_INTERVAL_MS,
    log: (message, details) => logger.error(message, details ?? {}),
  });
};

/**
 * Lambda entry for the Job table's stream (rows of batches only, by the event source's filter): every batch touched
 * is recounted, at most once per interval, and the invocation ends only after the recount that follows its last
 * record, so no change is left uncounted.
 */
export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  scheduler ??= await build();
  const batchIds = batchIdsOfStreamRecords(event.Records);
  for (const batchId of batchIds) scheduler.noteChanged(batchId);
  await scheduler.idle();
  logger.info('batches recounted', { batches: batchIds.length, records: event.Records.length });
};
