import { planRowChunks, type RowChunk } from '../../../../contract/batch-contract';
import type { Batch, BatchesApi } from '../api/batches-api';

/** A refusal by the server (a cap, a validation): sending the same request again cannot help. */
export class BatchRefusedError extends Error {
  override name = 'BatchRefusedError';
}

/**
 * One submission of a batch, planned once: its client token and its chunks never change, so sending it again
 * after a network error creates no second batch and no duplicate row (both calls are idempotent on the server).
 */
export interface BatchSubmission {
  clientToken: string;
  compositionId: string;
  title: string;
  /** Echoed in the batch's `batch.finished` event; absent: none. */
  metadata?: Record<string, unknown>;
  chunks: RowChunk<Record<string, unknown>>[];
  rowCount: number;
  /** Set once the batch exists; kept current with what `addBatchRows` answers. */
  batch: Batch | undefined;
  /** Chunks the server confirmed, in order; a resumed submission starts after them. */
  confirmedChunks: number;
}

/** Where a submission is: creating the batch, then rows sent so far. */
export interface SubmitProgress {
  phase: 'creating' | 'adding' | 'retrying';
  sentRows: number;
  totalRows: number;
  /** The failure being retried, in the `retrying` phase. */
  reason?: string;
}

/** Plans a submission: a fresh client token and the contract's request chunks (bounded, never one per row). */
export function planBatchSubmission(input: {
  compositionId: string;
  title: string;
  rows: readonly Record<string, unknown>[];
  clientToken?: string;
  metadata?: Record<string, unknown> | null;
}): BatchSubmission {
  return {
    clientToken: input.clientToken ?? crypto.randomUUID(),
    compositionId: input.compositionId,
    title: input.title,
    ...(input.metadata ? { metadata: input.metadata } : {}),
    chunks: planRowChunks(input.rows),
    rowCount: input.rows.length,
    batch: undefined,
    confirmedChunks: 0,
  };
}

export interface SubmitOptions {
  onProgress?: (progress: SubmitProgress) => void;
  /** Attempts per request before giving up (a refusal is never repeated). */
  attempts?: number;
  /** Waits between attempts; replaced in tests. */
  wait?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Sends a planned submission: `createBatch`, then `addBatchRows` chunk by chunk. Network failures are retried with
 * the same token and row indexes; when the attempts run out the error is thrown and `submission` records how far it
 * got, so calling this again resumes there. Resolves with the batch once every row is in.
 */
export async function sendBatchSubmission(
  api: BatchesApi,
  submission: BatchSubmission,
  { onProgress, attempts = 3, wait = sleep }: SubmitOptions = {},
): Promise<Batch> {
  const sentRows = () =>
    submission.chunks
      .slice(0, submission.confirmedChunks)
      .reduce((sum, chunk) => sum + chunk.rows.length, 0);
  const withRetries = async <T>(phase: SubmitProgress['phase'], send: () => Promise<T>) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await send();
      } catch (error) {
        if (error instanceof BatchRefusedError || attempt >= attempts) throw error;
        onProgress?.({
          phase: 'retrying',
          sentRows: sentRows(),
          totalRows: submission.rowCount,
          reason: messageOf(error),
        });
        await wait(500 * 2 ** (attempt - 1));
        onProgress?.({ phase, sentRows: sentRows(), totalRows: submission.rowCount });
      }
    }
  };

  if (submission.batch === undefined) {
    onProgress?.({ phase: 'creating', sentRows: 0, totalRows: submission.rowCount });
    submission.batch = await withRetries('creating', () =>
      api.createBatch({
        clientToken: submission.clientToken,
        compositionId: submission.compositionId,
        rowCount: submission.rowCount,
        title: submission.title,
        ...(submission.metadata ? { metadata: submission.metadata } : {}),
      }),
    );
  }
  const batchId = submission.batch.id;
  while (submission.confirmedChunks < submission.chunks.length) {
    const chunk = submission.chunks[submission.confirmedChunks]!;
    onProgress?.({ phase: 'adding', sentRows: sentRows(), totalRows: submission.rowCount });
    const added = await withRetries('adding', () =>
      api.addBatchRows({ batchId, firstRowIndex: chunk.firstRowIndex, rows: chunk.rows }),
    );
    submission.batch = { ...submission.batch, addedRows: added.addedRows, status: added.status };
    submission.confirmedChunks += 1;
  }
  onProgress?.({ phase: 'adding', sentRows: sentRows(), totalRows: submission.rowCount });
  return submission.batch;
}
