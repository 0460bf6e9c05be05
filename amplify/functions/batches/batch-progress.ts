import type { BatchStatus } from '../../../contract/batch-contract';
import type {
  BatchProgressPatch,
  BatchRecord,
  BatchTables,
  BatchWrites,
  RowState,
} from './batch-ports';
import { cancelUnfinishedRows } from './batch-service';

/** Rows that may still change are read again from the table (not the lagging index) when this few are left. */
const EXACT_REREAD_ROWS = 100;

/** Counters, progress and cost of a batch from its rows. */
export const countRows = (rows: readonly RowState[], rowCount: number): BatchProgressPatch => {
  const counts = { queued: 0, rendering: 0, succeeded: 0, failed: 0, cancelled: 0 };
  let costUsd = 0;
  for (const row of rows) {
    costUsd += row.costUsd;
    if (row.status === 'QUEUED') counts.queued += 1;
    else if (row.status === 'RENDERING') counts.rendering += 1;
    else if (row.status === 'SUCCEEDED') counts.succeeded += 1;
    else if (row.status === 'FAILED') counts.failed += 1;
    else counts.cancelled += 1;
  }
  const ended = counts.succeeded + counts.failed + counts.cancelled;
  return {
    ...counts,
    progress: rowCount > 0 ? Math.min(1, ended / rowCount) : 0,
    costUsd: Math.round(costUsd * 1e6) / 1e6,
  };
};

const COUNTERS = [
  'queued',
  'rendering',
  'succeeded',
  'failed',
  'cancelled',
  'progress',
  'costUsd',
] as const;

/** What one recount of a batch did. */
export type RecountOutcome = 'written' | 'unchanged' | 'gone';

/**
 * Counts a batch's rows and writes its counters through AppSync when they changed. Rows that may still change are
 * read again from the table when few are left, so the update that ends the batch (FINISHED, or CANCELLED with every
 * row ended) is exact. A cancelled batch's rows not yet cancelled are cancelled here (what the cancel call left).
 */
export const recountBatch = async (
  deps: { tables: BatchTables; writes: BatchWrites; now: () => number },
  batchId: string,
): Promise<RecountOutcome> => {
  const batch = await deps.tables.getBatch(batchId);
  if (!batch) return 'gone';
  let rows = await deps.tables.listRows(batchId);
  const open = rows.filter((row) => row.status === 'QUEUED' || row.status === 'RENDERING');
  if (open.length <= EXACT_REREAD_ROWS && open.length > 0) {
    const fresh = new Map(
      (await deps.tables.getRows(open.map((row) => row.id))).map((row) => [row.id, row]),
    );
    rows = rows.map((row) => fresh.get(row.id) ?? row);
  }
  if (
    batch.status === 'CANCELLED' &&
    rows.some(
      (row) => row.status === 'QUEUED' || (row.status === 'RENDERING' && !row.cancelRequested),
    )
  )
    await cancelUnfinishedRows(deps, batchId, 20_000, 16);
  const patch = countRows(rows, batch.rowCount);
  const ended = patch.succeeded + patch.failed + patch.cancelled;
  const allEnded = rows.length >= batch.addedRows && ended === rows.length;
  const status = nextStatus(batch, allEnded && rows.length >= batch.rowCount);
  const finishedAt =
    (status === 'FINISHED' || status === 'CANCELLED') && allEnded
      ? (batch.finishedAt ?? new Date(deps.now()).toISOString())
      : null;
  const changed =
    COUNTERS.some((field) => patch[field] !== batch[field]) ||
    status !== batch.status ||
    (finishedAt ?? null) !== (batch.finishedAt ?? null);
  if (!changed) return 'unchanged';
  const written = await deps.writes.updateBatch(batchId, { ...patch, status, finishedAt }, [
    batch.status,
  ]);
  // The status moved meanwhile (a cancel, a retry): the next recount, which that write triggers, counts again.
  return written ? 'written' : 'unchanged';
};

// OPEN waits for its last rows and CANCELLED stays; RUNNING and FINISHED follow the rows (a retry reopens).
const nextStatus = (batch: BatchRecord, allRowsEnded: boolean): BatchStatus => {
  if (batch.status === 'OPEN' || batch.status === 'CANCELLED') return batch.status;
  return allRowsEnded ? 'FINISHED' : 'RUNNING';
};

const MAX_REMEMBERED_BATCHES = 1_000;

/**
 * The share of time one batch's recounts may take: a recount that took longer than this share of the interval pushes
 * the next one back (a 10,000-row batch reads all its rows per recount), so the aggregate updates slow down for huge
 * batches instead of spending the stack's time recounting. At a tenth, a recount that takes 1.5 s starts 15 s after
 * the one before; at a quarter with a 5 s cap it started every 5 s, busy more than a quarter of the time.
 */
export const RECOUNT_BUSY_SHARE = 0.1;
/** The longest a slow recount pushes the next back: the stream invocation waits for it, within its 300 s timeout. */
export const RECOUNT_MAX_SPACING_MS = 15_000;

/** Timers, injectable so tests run on fake time. */
export interface ProgressTimers {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
}

/** Recounts batches as their rows change: at most once per interval per batch, and never losing a change. */
export interface BatchProgressScheduler {
  /** A row of `batchId` changed: a recount that starts after this call will follow. */
  noteChanged(batchId: string): void;
  /** Resolves once no recount is running or waiting. */
  idle(): Promise<void>;
  /** Starts no more recounts (waiting ones are dropped) and resolves once the running ones end. */
  close(): Promise<void>;
  /** The batches whose recount is running or waiting (a failed one waits for its retry). */
  unsettled(): string[];
}

/**
 * Coalesces row changes into at most one recount per `intervalMs` per batch (a subscriber gets aggregates, not one
 * message per row), and fewer when recounts are slow ({@link RECOUNT_BUSY_SHARE}). A change during a recount marks the batch dirty, so a recount always follows the last change:
 * coalescing drops messages, never counts.
 */
export const createBatchProgressScheduler = (options: {
  recount: (batchId: string) => Promise<unknown>;
  intervalMs: number;
  timers?: ProgressTimers;
  log?: (message: string, details?: Record<string, unknown>) => void;
}): BatchProgressScheduler => {
  const timers: ProgressTimers = options.timers ?? {
    now: Date.now,
    setTimeout: (run, ms) => setTimeout(run, ms),
  };
  const state = new Map<
    string,
    { lastRunAt: number; lastTookMs: number; running: boolean; dirty: boolean; waiting: boolean }
  >();
  let pending = 0;
  const idleWaiters: (() => void)[] = [];
  const settle = () => {
    if (pending > 0) return;
    for (const done of idleWaiters.splice(0)) done();
  };

  let closed = false;
  const run = (batchId: string) => {
    const entry = state.get(batchId)!;
    if (closed) {
      entry.waiting = false;
      pending -= 1;
      settle();
      return;
    }
    entry.waiting = false;
    entry.running = true;
    entry.dirty = false;
    entry.lastRunAt = timers.now();
    void options
      .recount(batchId)
      .catch((error: unknown) => {
        options.log?.('batch recount failed', { batchId, error: String(error) });
        // A failed recount is a change not yet shown: try again after the interval.
        entry.dirty = true;
      })
      .finally(() => {
        entry.running = false;
        entry.lastTookMs = timers.now() - entry.lastRunAt;
        pending -= 1;
        if (entry.dirty && !closed) schedule(batchId);
        settle();
      });
  };

  const schedule = (batchId: string) => {
    // Batches idle for longer than the interval need no memory of their last run.
    if (state.size > MAX_REMEMBERED_BATCHES) {
      const stale = timers.now() - options.intervalMs;
      for (const [id, entry] of state)
        if (!entry.running && !entry.waiting && entry.lastRunAt < stale) state.delete(id);
    }
    const entry = state.get(batchId) ?? {
      lastRunAt: -Infinity,
      lastTookMs: 0,
      running: false,
      dirty: false,
      waiting: false,
    };
    state.set(batchId, entry);
    if (entry.running) {
      entry.dirty = true;
      return;
    }
    if (entry.waiting) return;
    entry.waiting = true;
    pending += 1;
    const spacing = Math.max(
      options.intervalMs,
      Math.min(RECOUNT_MAX_SPACING_MS, entry.lastTookMs / RECOUNT_BUSY_SHARE),
    );
    const wait = entry.lastRunAt + spacing - timers.now();
    if (wait <= 0) run(batchId);
    else timers.setTimeout(() => run(batchId), wait);
  };

  const idle = () =>
    pending === 0 ? Promise.resolve() : new Promise<void>((done) => idleWaiters.push(done));
  return {
    noteChanged: (batchId) => {
      if (!closed) schedule(batchId);
    },
    idle,
    close: () => {
      closed = true;
      return idle();
    },
    unsettled: () =>
      [...state].flatMap(([batchId, entry]) => (entry.running || entry.waiting ? [batchId] : [])),
  };
};
