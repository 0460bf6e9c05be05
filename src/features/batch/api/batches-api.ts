import type { BatchCounts, BatchStatus } from '../../../../contract/batch-contract';

/** A batch as its owner reads it: server-owned counters the studio only displays. */
export interface Batch extends BatchCounts {
  id: string;
  compositionId: string;
  title: string | null;
  status: BatchStatus;
  rowCount: number;
  /** Rows the server holds so far (all of them once the batch is RUNNING). */
  addedRows: number;
  /** 0–1, as the server computed it. */
  progress: number;
  costUsd: number | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** Status of one row's job, the same union as a Job's. */
export type RowStatus = 'QUEUED' | 'RENDERING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

/** One row of a batch as the row list shows it: the row's job, reduced to what the list needs. */
export interface BatchRowJob {
  jobId: string;
  rowIndex: number;
  status: RowStatus;
  title: string | null;
  progress: number;
  errorMessage: string | null;
  costUsd: number | null;
  updatedAt: string;
}

/** What `addBatchRows` answers: how many rows it created now, how many were there already (a retry). */
export interface AddRowsResult {
  added: number;
  alreadyPresent: number;
  addedRows: number;
  status: BatchStatus;
}

/** Everything the batch feature needs from the backend: the Amplify data client in the app, a fake in tests. */
export interface BatchesApi {
  /** Idempotent on `clientToken`: a retry answers the batch the first call created. */
  createBatch(input: {
    clientToken: string;
    compositionId: string;
    rowCount: number;
    title?: string;
    /** Echoed in the batch's `batch.finished` webhook event (a JSON object ≤ 2 KB). */
    metadata?: Record<string, unknown>;
  }): Promise<Batch>;
  /** Idempotent per row index: rows already present are counted, not created twice. */
  addBatchRows(input: {
    batchId: string;
    firstRowIndex: number;
    rows: readonly Record<string, unknown>[];
  }): Promise<AddRowsResult>;
  cancelBatch(batchId: string): Promise<Batch>;
  /** Queues the given failed rows again, or every failed row when `rowIndexes` is absent. */
  retryBatchRows(batchId: string, rowIndexes?: readonly number[]): Promise<Batch>;
  /** The owner's batches, newest first. */
  listBatches(page: { limit: number }): Promise<Batch[]>;
  /** The rows `fromRowIndex` … `toRowIndex` (inclusive) that exist, in row order: a range of the batch's index. */
  listBatchRows(
    batchId: string,
    range: { fromRowIndex: number; toRowIndex: number },
  ): Promise<BatchRowJob[]>;
  /** A short-lived URL of a finished row's video. */
  getVideoUrl(jobId: string): Promise<{ url: string; expiresAt: string }>;
  /** Calls `onBatch` for every created or updated batch of this owner until the returned function is called. */
  subscribe(listener: {
    onBatch: (batch: Batch) => void;
    onError: (error: Error) => void;
  }): () => void;
}

/** The rows that ended, any way. */
export const isFinishedRow = (status: RowStatus): boolean =>
  status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';
