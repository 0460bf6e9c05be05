import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { findCompositionSpec, parseInputProps } from '../../../remotion/catalog';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import { wholeNumber } from '../render-worker/worker-config';
import { readSpendBudgets } from '../../render-pipeline/spend-config';
import { createDynamoSpendLedger } from '../render-worker/dynamo-spend-ledger';
import type { DataClientEnv } from '../render-worker/appsync-job-store';
import { createRenderablePropsParser } from '../render-worker/parse-renderable-props';
import { createAppSyncBatchWrites } from './appsync-batch-writes';
import { createBatchResolver, ownerOf, type BatchEvent } from './batch-resolver';
import { BatchRequestError, createBatchService } from './batch-service';
import { createDynamoBatchTables } from './dynamo-batch-tables';
import { createGraphqlTransportFromFunctionEnv } from './graphql-from-env';
import { createLedgerRenderQuota } from './spend-ledger-quota';
import { createSqsRowQueue } from './sqs-row-queue';

const envSchema = z.object({
  BATCH_TABLE_NAME: z.string().min(1, { error: 'BATCH_TABLE_NAME must name the Batch table' }),
  JOB_TABLE_NAME: z.string().min(1, { error: 'JOB_TABLE_NAME must name the Job table' }),
  ROW_QUEUE_URL: z.url({
    error: 'ROW_QUEUE_URL must be the render queue URL (retried rows go there)',
  }),
  REMOTION_TIMEOUT_SECONDS: z.coerce.number().int().min(1),
  REMOTION_CONCURRENCY_PER_RENDER: z.coerce.number().int().min(1),
  SPEND_LEDGER_TABLE_NAME: z
    .string()
    .min(1, { error: 'SPEND_LEDGER_TABLE_NAME must name the SpendLedger table' }),
  // The per-user limit, as the worker has it (its default when unset).
  MAX_ACTIVE_JOBS_PER_USER: wholeNumber(1, 100).default(3),
});

const logger = new Logger({ serviceName: 'batches' });
let resolve: ((event: BatchEvent) => Promise<unknown>) | undefined;

const build = async () => {
  const reader = { what: "The batches function's environment", fix: FUNCTION_ENV_FIX };
  const env = readEnv(envSchema, process.env, reader);
  const send = await createGraphqlTransportFromFunctionEnv(process.env as DataClientEnv);
  return createBatchResolver(
    createBatchService({
      tables: createDynamoBatchTables({
        names: { batchTable: env.BATCH_TABLE_NAME, jobTable: env.JOB_TABLE_NAME },
      }),
      writes: createAppSyncBatchWrites(send),
      queue: createSqsRowQueue(new SQSClient({}), env.ROW_QUEUE_URL),
      renderQuota: createLedgerRenderQuota(
        createDynamoSpendLedger(new DynamoDBClient({}), env.SPEND_LEDGER_TABLE_NAME),
        readSpendBudgets(process.env, reader).dailyRendersPerUser,
      ),
      // Exactly the worker's check of a single job's props: the composition's schema and the render limits.
      parseInputProps: createRenderablePropsParser(
        {
          remotionTimeoutSeconds: env.REMOTION_TIMEOUT_SECONDS,
          renderersPerRender: env.REMOTION_CONCURRENCY_PER_RENDER,
        },
        parseInputProps,
      ),
      isComposition: (id) => findCompositionSpec(id) !== undefined,
      rowsWokenPerRequest: env.MAX_ACTIVE_JOBS_PER_USER,
      now: Date.now,
    }),
  );
};
/** Lambda entry: one JSON log line per call, naming the caller and the field. */
export const handler = async (event: BatchEvent): Promise<unknown> => {
  const fields = { field: event.fieldName, ownerSub: ownerOf(event.identity)?.split('::')[0] };
  try {
    resolve ??= await build();
    const result = await resolve(event);
    logger.info('batch call done', fields);
    return result;
  } catch (error) {
    if (error instanceof BatchRequestError)
      logger.warn('batch call refused', { ...fields, reason: error.message });
    else logger.error('batch call failed', { ...fields, error });
    throw error;
  }
};
