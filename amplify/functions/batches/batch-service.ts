import { createHash } from 'node:crypto';
import {
  batchJobId,
  checkBatchSize,
  checkClientToken,
  checkQueuedRows,
  checkRowsRequest,
  type BatchStatus,
} from '../../../contract/batch-contract';
import { ownerSubOf } from '../../../contract/job-contract';
import { batchQuotaMessage } from '../../../contract/spend-budget';
import { parseJobMetadata } from '../../../contract/webhook-contract';
import type { ParseInputProps } from '../render-worker/worker-context';
import type {
  BatchRecord,
  BatchTables,
  BatchWrites,
  RenderQuota,
  RowJob,
  RowQueue,
} from './batch-ports';

/** A refusal the caller can act on (bad input, a cap, someone else's batch): its message is shown as is. */
export class BatchRequestError extends Error {
  override readonly name = 'BatchRequestError';
}

/** What `addBatchRows` answers. */
export interface BatchRowsAdded {
  batchId: string;
  added: number;
  alreadyPresent: number;
  addedRows: number;
  status: BatchStatus;
}

/** The batch mutations, for one caller identified by Amplify's owner value. */
export interface BatchService {
  createBatch(
    owner: string,
    input: {
      clientToken: string;
      compositionId: string;
      rowCount: number;
      title?: string | null;
      metadata?: unknown;
    },
  ): Promise<BatchRecord>;
  addBatchRows(
    owner: string,
    input: { batchId: string; firstRowIndex: number; rows: unknown[] },
  ): Promise<BatchRowsAdded>;
  cancelBatch(owner: string, batchId: string): Promise<BatchRecord>;
  retryBatchRows(
    owner: string,
    input: { batchId: string; rowIndexes?: number[] | null },
  ): Promise<BatchRecord>;
}

/** Collaborators of {@link createBatchService}. */
export interface BatchServiceDeps {
  tables: BatchTables;
  writes: BatchWrites;
  queue: RowQueue;
  /** The spend guard's per-user daily quota: a batch that would pass it is refused at submit, not row by row. */
  renderQuota: RenderQuota;
  /** The worker's own props check (the composition's zod schema and the render limits). */
  parseInputProps: ParseInputProps;
  /** Whether a composition id is in the catalog. */
  isComposition: (compositionId: string) => boolean;
  now: () => number;
  /**
   * Rows woken per request (the per-user limit, `maxActiveJobsPerUser`): rows wait in the table, not the queue, so
   * adding or retrying rows sends a message to this many of them; each row's end wakes the next.
   */
  rowsWokenPerRequest: number;
  /** Row writes in flight at once. */
  concurrency?: number;
  /** How long one cancel or retry call may spend on rows before it answers (the rest follow, see below). */
  rowWorkBudgetMs?: number;
}

/** Errors listed in one refusal; the rest are counted. */
const MAX_LISTED_ROW_ERRORS = 10;
const MAX_TITLE_LENGTH = 200;
const ENDED: readonly BatchStatus[] = ['FINISHED', 'CANCELLED'];

/**
 * The id of the batch `owner` creates with `clientToken`: the same for every retry of the request, so a retried or
 * redelivered `createBatch` meets the batch it already made (a conditional put), and two owners never share one.
 */
export const batchIdFor = (owner: string, clientToken: string): string => {
  const hex = createHash('sha256').update(`${owner}\n${clientToken}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
};

/** Runs `work` over `items`, `concurrency` at a time, stopping early (between items) once `stopAt` passes. */
export const forEachLimited = async <T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<number> => {
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < items.length && !shouldStop()) {
      const item = items[next] as T;
      next += 1;
      await work(item);
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return done;
};

const notYours = (batchId: string) =>
  new BatchRequestError(
    `No batch ${JSON.stringify(batchId.slice(0, 40))} of yours exists. Check the batch id, or create the batch first.`,
  );

/** The batch mutations over their ports: the same core in the Lambda, in local mode and in unit tests. */
export const createBatchService = (deps: BatchServiceDeps): BatchService => {
  const { tables, writes, queue } = deps;
  const concurrency = deps.concurrency ?? 16;
  const budgetMs = deps.rowWorkBudgetMs ?? 20_000;
  const iso = () => new Date(deps.now()).toISOString();

  const loadOwn = async (owner: string, batchId: string): Promise<BatchRecord> => {
    const batch = await tables.getBatch(batchId);
    // Someone else's batch and no batch read the same, so ids cannot be probed.
    if (!batch || batch.owner !== owner) throw notYours(batchId);
    return batch;
  };

  const isUnfinished = (batch: BatchRecord) => !batch.finishedAt && batch.status !== 'FINISHED';
  // Rows queued or rendering over the owner's unfinished batches, from their counters.
  const queuedRowsIn = (batches: readonly BatchRecord[]): number =>
    batches
      .filter(isUnfinished)
      .reduce(
        (sum, batch) =>
          sum + Math.max(0, batch.rowCount - batch.succeeded - batch.failed - batch.cancelled),
        0,
      );

  /**
   * Refuses `asked` renders that would pass the owner's daily quota: renders started today (the spend ledger) plus
   * rows not started yet in their other unfinished batches (counters, about a second behind: a row that just started
   * may count twice, so the check errs toward refusing).
   */
  const checkRenderQuota = async (
    owner: string,
    batches: readonly BatchRecord[],
    asked: number,
    exceptBatchId?: string,
  ): Promise<void> => {
    if (asked <= 0) return;
    const now = deps.now();
    const started = await deps.renderQuota.startedOn(ownerSubOf(owner), now);
    const waiting = batches
      .filter((batch) => isUnfinished(batch) && batch.id !== exceptBatchId)
      .reduce(
        (sum, batch) =>
          sum +
          Math.max(
            0,
            batch.rowCount - batch.succeeded - batch.failed - batch.cancelled - batch.rendering,
          ),
        0,
      );
    const { perDay } = deps.renderQuota;
    if (started + waiting + asked > perDay)
      throw new BatchRequestError(batchQuotaMessage(asked, { perDay, started, waiting }, now));
  };

  const createBatch: BatchService['createBatch'] = async (owner, input) => {
    const token = checkClientToken(input.clientToken);
    if (!token.ok) throw new BatchRequestError(token.message);
    if (!deps.isComposition(input.compositionId))
      throw new BatchRequestError(
        `compositionId must name a composition of the studio, but got ${JSON.stringify(input.compositionId.slice(0, 40))}.`,
      );
    const size = checkBatchSize(input.rowCount);
    if (!size.ok) throw new BatchRequestError(size.message);
    if (input.title && input.title.length > MAX_TITLE_LENGTH)
      throw new BatchRequestError(
        `title must be at most ${MAX_TITLE_LENGTH} characters, but got ${input.title.length}.`,
      );
    const metadata = parseJobMetadata(input.metadata);
    if (!metadata.ok) throw new BatchRequestError(metadata.message);

    const id = batchIdFor(owner, input.clientToken);
    const sameRequest = (batch: BatchRecord) => {
      if (batch.compositionId === input.compositionId && batch.rowCount === input.rowCount)
        return batch;
      throw new BatchRequestError(
        `The client token ${JSON.stringify(input.clientToken)} already made batch ${batch.id} (${batch.rowCount} rows of "${batch.compositionId}"), but this request asks for ${input.rowCount} rows of "${input.compositionId}". Send a fresh client token for a new batch.`,
      );
    };
    const existing = await tables.getBatch(id);
    if (existing) return sameRequest(existing);
    const ownBatches = await tables.listOwnerBatches(owner);
    const queued = checkQueuedRows(queuedRowsIn(ownBatches), input.rowCount);
    if (!queued.ok) throw new BatchRequestError(queued.message);
    await checkRenderQuota(owner, ownBatches, input.rowCount);
    const now = iso();
    const batch: BatchRecord = {
      id,
      owner,
      compositionId: input.compositionId,
      ...(input.title ? { title: input.title } : {}),
      status: 'OPEN',
      rowCount: input.rowCount,
      addedRows: 0,
      queued: 0,
      rendering: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
      progress: 0,
      costUsd: 0,
      ...(metadata.metadata ? { metadata: metadata.metadata } : {}),
      clientToken: input.clientToken,
      createdAt: now,
      updatedAt: now,
    };
    if (await tables.putBatchIfAbsent(batch)) return batch;
    // A concurrent retry of the same request created it first.
    const raced = await tables.getBatch(id);
    if (!raced) throw new Error(`Batch ${id} was neither created nor found.`);
    return sameRequest(raced);
  };

  const addBatchRows: BatchService['addBatchRows'] = async (owner, input) => {
    const batch = await loadOwn(owner, input.batchId);
    if (batch.status === 'CANCELLED')
      throw new BatchRequestError(
        `Batch ${batch.id} was cancelled, so it takes no more rows. Create a new batch.`,
      );
    const request = checkRowsRequest(input.rows);
    if (!request.ok) throw new BatchRequestError(request.message);
    const { firstRowIndex, rows } = input;
    if (
      !Number.isInteger(firstRowIndex) ||
      firstRowIndex < 0 ||
      firstRowIndex + rows.length > batch.rowCount
    )
      throw new BatchRequestError(
        `Rows ${firstRowIndex + 1}–${firstRowIndex + rows.length} must lie within the batch's ${batch.rowCount} rows, but firstRowIndex is ${firstRowIndex} with ${rows.length} rows.`,
      );

    // Every row is checked exactly as a single job's props are, and nothing is written unless all pass.
    const errors: string[] = [];
    const jobs: RowJob[] = [];
    rows.forEach((row, offset) => {
      const rowIndex = firstRowIndex + offset;
      const parsed = deps.parseInputProps(batch.compositionId, row);
      if (!parsed.ok) {
        errors.push(`row ${rowIndex + 1}: ${parsed.message}`);
        return;
      }
      jobs.push({
        id: batchJobId(batch.id, rowIndex),
        owner,
        compositionId: batch.compositionId,
        inputProps: row as Record<string, unknown>,
        title: `${batch.title ?? batch.compositionId} · row ${rowIndex + 1}`,
        batchId: batch.id,
        rowIndex,
      });
    });
    if (errors.length > 0) {
      const more = errors.length - MAX_LISTED_ROW_ERRORS;
      throw new BatchRequestError(
        `${errors.length} of ${rows.length} rows are invalid, so none was added: ${errors.slice(0, MAX_LISTED_ROW_ERRORS).join('; ')}${more > 0 ? `; and ${more} more` : ''}. Fix or skip them, then send the rows again.`,
      );
    }

    // The rows not added yet (this request's and later ones'); rows already in were counted when they came.
    await checkRenderQuota(
      owner,
      await tables.listOwnerBatches(owner),
      batch.rowCount - batch.addedRows,
      batch.id,
    );
    const { created, present } = await tables.putRowJobsIfAbsent(jobs);
    let addedRows = created > 0 ? await tables.addToAddedRows(batch.id, created) : batch.addedRows;
    // A retry (rows already there) may follow a request that created rows but died before counting them:
    // count what exists, so the batch still reaches RUNNING.
    if (present > 0 && addedRows < batch.rowCount)
      addedRows = await tables.raiseAddedRows(
        batch.id,
        await tables.countPresentRows(batch.id, batch.rowCount),
      );
    // The rows wait in the table (the render pipe passes no batch row): wake the first few, as many as the owner may
    // render at once. A row that finds its owner's slots taken goes back to waiting; each row's end wakes the next.
    await queue.enqueue(jobs.slice(0, deps.rowsWokenPerRequest).map((job) => job.id));
    let status: BatchStatus = batch.status;
    if (addedRows >= batch.rowCount && status === 'OPEN') {
      const running = await writes.updateBatch(batch.id, { status: 'RUNNING', addedRows }, [
        'OPEN',
      ]);
      status = running?.status ?? (await tables.getBatch(batch.id))?.status ?? status;
    }
    return { batchId: batch.id, added: created, alreadyPresent: present, addedRows, status };
  };

  const cancelBatch: BatchService['cancelBatch'] = async (owner, batchId) => {
    const batch = await loadOwn(owner, batchId);
    if (batch.status === 'FINISHED') return batch;
    const cancelled =
      batch.status === 'CANCELLED'
        ? batch
        : ((await writes.updateBatch(batchId, { status: 'CANCELLED' }, ['OPEN', 'RUNNING'])) ??
          (await tables.getBatch(batchId)) ??
          batch);
    if (cancelled.status !== 'CANCELLED') return cancelled;
    await cancelUnfinishedRows(deps, batchId, budgetMs, concurrency);
    return (await tables.getBatch(batchId)) ?? cancelled;
  };

  const retryBatchRows: BatchService['retryBatchRows'] = async (owner, input) => {
    const batch = await loadOwn(owner, input.batchId);
    if (batch.status === 'CANCELLED')
      throw new BatchRequestError(
        `Batch ${batch.id} was cancelled, so its rows cannot be retried. Create a new batch from the same file.`,
      );
    const wanted = input.rowIndexes ? new Set(input.rowIndexes) : undefined;
    for (const rowIndex of wanted ?? [])
      if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= batch.rowCount)
        throw new BatchRequestError(
          `rowIndexes must be row indexes from 0 to ${batch.rowCount - 1}, but got ${rowIndex}.`,
        );
    const rows = await tables.listRows(batch.id);
    // The index may lag a row that just failed: read the candidates again from the table.
    const candidates = rows.filter((row) => (wanted ? wanted.has(row.rowIndex) : true));
    const failed = (await tables.getRows(candidates.map((row) => row.id))).filter(
      (row) => row.status === 'FAILED',
    );
    if (failed.length === 0) return batch;
    const ownBatches = await tables.listOwnerBatches(owner);
    const queued = checkQueuedRows(queuedRowsIn(ownBatches), failed.length);
    if (!queued.ok) throw new BatchRequestError(queued.message);
    await checkRenderQuota(owner, ownBatches, failed.length);
    // RUNNING first, so the progress writer does not end the batch while its rows go back to the queue.
    if (batch.status === 'FINISHED')
      await writes.updateBatch(batch.id, { status: 'RUNNING', finishedAt: null }, ['FINISHED']);
    const startedAt = deps.now();
    const requeued: string[] = [];
    await forEachLimited(
      failed,
      concurrency,
      async (row) => {
        if (await writes.requeueRow(row.id, iso())) requeued.push(row.id);
      },
      () => deps.now() - startedAt > budgetMs,
    );
    // Back to waiting in the table, as new rows do: wake as many as the owner may render at once, and each end
    // wakes the next (the stream enqueues no batch row, and no update at all).
    await queue.enqueue(requeued.slice(0, deps.rowsWokenPerRequest));
    return (await tables.getBatch(batch.id)) ?? batch;
  };

  return { createBatch, addBatchRows, cancelBatch, retryBatchRows };
};

/**
 * Cancels every unfinished row of a cancelled batch that is not cancelled yet, until `budgetMs` runs out; the
 * progress writer calls it again for what is left (docs/architecture.md, "Batches").
 */
export const cancelUnfinishedRows = async (
  deps: Pick<BatchServiceDeps, 'tables' | 'writes' | 'now'>,
  batchId: string,
  budgetMs: number,
  concurrency: number,
): Promise<{ cancelled: number; requested: number; left: number }> => {
  const startedAt = deps.now();
  const open = (await deps.tables.listRows(batchId)).filter(
    (row) => row.status === 'QUEUED' || (row.status === 'RENDERING' && !row.cancelRequested),
  );
  let cancelled = 0;
  let requested = 0;
  const done = await forEachLimited(
    open,
    concurrency,
    async (row) => {
      const outcome = await deps.writes.cancelRow(row.id, new Date(deps.now()).toISOString());
      if (outcome === 'cancelled') cancelled += 1;
      if (outcome === 'requested') requested += 1;
    },
    () => deps.now() - startedAt > budgetMs,
  );
  return { cancelled, requested, left: open.length - done };
};

/** Whether a batch has ended for good (no row of it will change again unless retried). */
export const isBatchEnded = (batch: Pick<BatchRecord, 'status' | 'finishedAt'>): boolean =>
  ENDED.includes(batch.status) && Boolean(batch.finishedAt);
