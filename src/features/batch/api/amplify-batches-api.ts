import { generateClient } from 'aws-amplify/data';
import type { Schema } from '../../../../amplify/data/resource';
import { dataOf, type GraphqlResult } from '../../../lib/graphql-result';
import { readOwner } from '../../../lib/read-owner';
import type { Batch, BatchRowJob, BatchesApi, RowStatus } from './batches-api';
import { BatchRefusedError } from '../submit/submit-batch';

type DataClient = ReturnType<typeof generateClient<Schema>>;

/**
 * Every `Batch` field the studio reads. Subscribers get only what the triggering mutation selected: the batch
 * functions' `updateBatch` selects all of them (amplify/functions/batches/appsync-batch-writes.ts).
 */
export const BATCH_SELECTION_SET = [
  'id',
  'compositionId',
  'title',
  'status',
  'rowCount',
  'addedRows',
  'queued',
  'rendering',
  'succeeded',
  'failed',
  'cancelled',
  'progress',
  'costUsd',
  'createdAt',
  'updatedAt',
  'finishedAt',
] as const satisfies readonly (keyof Schema['Batch']['type'])[];

/** The Job fields the row list and the manifest read. */
const ROW_SELECTION_SET = [
  'id',
  'rowIndex',
  'status',
  'title',
  'progress',
  'errorMessage',
  'costUsd',
  'updatedAt',
] as const satisfies readonly (keyof Schema['Job']['type'])[];

type BatchRecord = Pick<Schema['Batch']['type'], (typeof BATCH_SELECTION_SET)[number]>;
type RowRecord = Pick<Schema['Job']['type'], (typeof ROW_SELECTION_SET)[number]>;

/** Most rows one list request asks for; the server pages below it. */
const ROWS_PER_LIST = 1_000;

// A GraphQL error that names the network is worth sending again; any other is the server's refusal.
const NETWORK_ERROR = /network|fetch|timed? ?out|connection|socket/i;

/** The data of a mutation's result; a refusal becomes a {@link BatchRefusedError}, which is never retried. */
function answerOf<T>(result: GraphqlResult<T>, what: string): NonNullable<T> {
  const messages = result.errors?.map((error) => error.message) ?? [];
  if (messages.length > 0 && !messages.some((message) => NETWORK_ERROR.test(message)))
    throw new BatchRefusedError(`${what} was refused: ${messages.join('; ')}`);
  return dataOf(result, what);
}

const toBatch = (record: BatchRecord): Batch => ({
  id: record.id,
  compositionId: record.compositionId,
  title: record.title ?? null,
  status: record.status,
  rowCount: record.rowCount,
  addedRows: record.addedRows,
  queued: record.queued,
  rendering: record.rendering,
  succeeded: record.succeeded,
  failed: record.failed,
  cancelled: record.cancelled,
  progress: record.progress,
  costUsd: record.costUsd ?? null,
  createdAt: record.createdAt ?? new Date(0).toISOString(),
  updatedAt: record.updatedAt ?? record.createdAt ?? new Date(0).toISOString(),
  finishedAt: record.finishedAt ?? null,
});

const toRow = (record: RowRecord): BatchRowJob => ({
  jobId: record.id,
  rowIndex: record.rowIndex ?? 0,
  status: (record.status ?? 'QUEUED') as RowStatus,
  title: record.title ?? null,
  progress: record.progress ?? 0,
  errorMessage: record.errorMessage ?? null,
  costUsd: record.costUsd ?? null,
  updatedAt: record.updatedAt ?? new Date(0).toISOString(),
});

/** {@link BatchesApi} over the Amplify data client (AppSync in the cloud, the simulator in local mode). */
export function createAmplifyBatchesApi(client: DataClient = generateClient<Schema>()): BatchesApi {
  return {
    async createBatch({ clientToken, compositionId, rowCount, title, metadata }) {
      const result = await client.mutations.createBatch({
        clientToken,
        compositionId,
        rowCount,
        title,
        // a.json() arguments travel as AWSJSON: a JSON string.
        ...(metadata === undefined ? {} : { metadata: JSON.stringify(metadata) }),
      });
      return toBatch(answerOf(result, 'Creating the batch') as BatchRecord);
    },
    async addBatchRows({ batchId, firstRowIndex, rows }) {
      // a.json() arguments travel as AWSJSON: a JSON string.
      const result = await client.mutations.addBatchRows({
        batchId,
        firstRowIndex,
        rows: JSON.stringify(rows),
      });
      const added = answerOf(
        result,
        `Adding rows ${firstRowIndex + 1}–${firstRowIndex + rows.length}`,
      );
      return {
        added: added.added,
        alreadyPresent: added.alreadyPresent,
        addedRows: added.addedRows,
        status: added.status,
      };
    },
    async cancelBatch(batchId) {
      const result = await client.mutations.cancelBatch({ batchId });
      return toBatch(answerOf(result, 'Cancelling the batch') as BatchRecord);
    },
    async retryBatchRows(batchId, rowIndexes) {
      const result = await client.mutations.retryBatchRows({
        batchId,
        ...(rowIndexes ? { rowIndexes: [...rowIndexes] } : {}),
      });
      return toBatch(answerOf(result, 'Retrying the failed rows') as BatchRecord);
    },
    async listBatches({ limit }) {
      const result = await client.models.Batch.listBatchesByOwnerAndCreatedAt(
        { owner: await readOwner() },
        { sortDirection: 'DESC', limit, selectionSet: BATCH_SELECTION_SET },
      );
      return (dataOf(result, 'Listing batches') as BatchRecord[]).map(toBatch);
    },
    async listBatchRows(batchId, { fromRowIndex, toRowIndex }) {
      const rows: BatchRowJob[] = [];
      let nextToken: string | null | undefined;
      do {
        const result = await client.models.Job.listJobsByBatchIdAndRowIndex(
          { batchId, rowIndex: { between: [fromRowIndex, toRowIndex] } },
          { limit: ROWS_PER_LIST, nextToken, selectionSet: ROW_SELECTION_SET },
        );
        rows.push(...(dataOf(result, 'Listing the batch rows') as RowRecord[]).map(toRow));
        nextToken = result.nextToken;
      } while (nextToken);
      return rows;
    },
    async getVideoUrl(jobId) {
      return dataOf(await client.queries.getJobVideoUrl({ jobId }), 'Getting the video URL');
    },
    subscribe({ onBatch, onError }) {
      const fail = (error: unknown) =>
        onError(error instanceof Error ? error : new Error('The batch subscription failed.'));
      try {
        const subscription = client.models.Batch.onUpdate({
          selectionSet: BATCH_SELECTION_SET,
        }).subscribe({ next: (record) => onBatch(toBatch(record as BatchRecord)), error: fail });
        return () => subscription.unsubscribe();
      } catch (error) {
        // An unconfigured client throws at once; report it like a dropped subscription, after this call returns.
        const timer = setTimeout(() => fail(error), 0);
        return () => clearTimeout(timer);
      }
    },
  };
}
