import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';

/**
 * Resolves the batch mutations (amplify/data/batch-schema.ts): creates batches, writes their row jobs straight into
 * the Job table with conditional puts, cancels and retries rows. In the data stack's group, like the other
 * resolvers. Its environment and permissions are set by `configureBatchFunctions`
 * (amplify/render-pipeline/batch-access.ts).
 */
export const batches = defineFunction({
  name: 'batches',
  entry: './handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 30,
  memoryMB: 512,
  logging: { retention: FUNCTION_LOG_RETENTION },
});

/**
 * The Job table's one Lambda reader (amplify/render-pipeline/job-stream-reader.ts). Keeps each Batch's counters,
 * progress and cost from its rows, at most once per `BATCH_PROGRESS_INTERVAL_MS` per batch, and ends the batch when
 * every row has; queues each job's ending to its owner's webhook endpoints.
 * Timeout: an invocation of 1,000 job endings of one owner with the most endpoints (10) is 10,000 queue sends.
 */
export const batchProgress = defineFunction({
  name: 'batch-progress',
  entry: './progress-handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 300,
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});
