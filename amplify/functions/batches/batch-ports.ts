import type { BatchStatus } from '../../../contract/batch-contract';
import type { JobStatus } from '../../../contract/job-contract';

/** A Batch record as the batch functions read and write it (every field server-owned). */
export interface BatchRecord {
  id: string;
  /** Amplify's owner value, `<sub>::<username>`, the same as the batch's jobs carry. */
  owner: string;
  compositionId: string;
  title?: string | null;
  status: BatchStatus;
  rowCount: number;
  addedRows: number;
  queued: number;
  rendering: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  progress: number;
  costUsd: number;
  /** A JSON object, stored as a map (as Amplify stores AWSJSON), so AppSync reads it back as JSON. */
  metadata?: Record<string, unknown> | null;
  clientToken: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string | null;
}

/** The fields the progress writer keeps: counters, progress, cost, and the status and end they imply. */
export type BatchProgressPatch = Pick<
  BatchRecord,
  'queued' | 'rendering' | 'succeeded' | 'failed' | 'cancelled' | 'progress' | 'costUsd'
> & { status?: BatchStatus; finishedAt?: string | null; addedRows?: number };

/** One row's job as the batches function creates it. */
export interface RowJob {
  id: string;
  owner: string;
  compositionId: string;
  /** The row's props, stored as a map exactly as Amplify stores a single job's `inputProps`. */
  inputProps: Record<string, unknown>;
  title: string;
  batchId: string;
  rowIndex: number;
}

/** What a batch's progress is counted from: one row's job, few fields. */
export interface RowState {
  id: string;
  rowIndex: number;
  /** A fresh record may have no status yet: QUEUED. */
  status: JobStatus;
  costUsd: number;
  cancelRequested: boolean;
}

/** The Batch and Job tables, read and written directly (DynamoDB), where no subscriber needs to hear. */
export interface BatchTables {
  /** Creates the batch unless one with its id exists; resolves false when one does (nothing written). */
  putBatchIfAbsent(batch: BatchRecord): Promise<boolean>;
  /** A strongly consistent read. */
  getBatch(batchId: string): Promise<BatchRecord | undefined>;
  /** Every batch of `owner` (the owner index). */
  listOwnerBatches(owner: string): Promise<BatchRecord[]>;
  /** Adds `count` to `addedRows` atomically; resolves the new value. */
  addToAddedRows(batchId: string, count: number): Promise<number>;
  /** Raises `addedRows` to `count` unless it is already at least that; resolves the value now stored. */
  raiseAddedRows(batchId: string, count: number): Promise<number>;
  /** Creates each job unless its id exists (a conditional put per row); resolves how many were created. */
  putRowJobsIfAbsent(jobs: RowJob[]): Promise<{ created: number; present: number }>;
  /** How many of rows 0 … rowCount − 1 exist, read consistently from the table (their ids are known). */
  countPresentRows(batchId: string, rowCount: number): Promise<number>;
  /** Every row of the batch, from the batchId index (eventually consistent). */
  listRows(batchId: string): Promise<RowState[]>;
  /** These rows read consistently from the table; absent ones are left out. */
  getRows(jobIds: string[]): Promise<RowState[]>;
}

/** What cancelling one row did. */
export type RowCancel = 'cancelled' | 'requested' | 'ended';

/** Writes subscribers must hear: through AppSync (IAM), selecting `owner`. */
export interface BatchWrites {
  /** Writes `patch` if the batch's status is one of `whenStatus`; resolves the batch, or undefined if it was not. */
  updateBatch(
    batchId: string,
    patch: Partial<Omit<BatchRecord, 'id' | 'owner' | 'createdAt' | 'updatedAt'>>,
    whenStatus: readonly BatchStatus[],
  ): Promise<BatchRecord | undefined>;
  /**
   * Cancels a row the way a single job's cancel works: a QUEUED row ends CANCELLED at once; a RENDERING one gets
   * `cancelRequested` and the worker cancels its render; an ended one is left alone.
   */
  cancelRow(jobId: string, finishedAt: string): Promise<RowCancel>;
  /** A FAILED row back to QUEUED with its render fields cleared; resolves false if it was not FAILED. */
  requeueRow(jobId: string, queuedAt: string): Promise<boolean>;
}

/** The render queue: a `{ jobId }` message per row, sent in batches. */
export interface RowQueue {
  enqueue(jobIds: string[]): Promise<void>;
}

/** The spend guard's per-user daily quota, read from its ledger (the worker counts; the batches function only reads). */
export interface RenderQuota {
  /** Renders one user may start per UTC day (DAILY_RENDERS_PER_USER). */
  perDay: number;
  /** Renders the user with this Cognito sub has started on the UTC day of `ms`. */
  startedOn(ownerSub: string, ms: number): Promise<number>;
}
