/**
 * The batch contract: what the studio, the batch mutations, the render worker and local mode agree on for
 * "one video per row" batches. Plain TypeScript with no imports beyond contract/, so every layer can import it
 * (docs/architecture.md, "Batches").
 */
import { MAX_INPUT_PROPS_BYTES } from './job-contract';

/** Most rows one batch may have. */
export const MAX_ROWS_PER_BATCH = 10_000;

/** Most batch rows one user may have queued or rendering at once, over all their batches. */
export const MAX_QUEUED_ROWS_PER_USER = 20_000;

/** Most rows one `addBatchRows` request may carry. */
export const MAX_ROWS_PER_REQUEST = 500;

/** Largest `addBatchRows` request body (its rows, serialized), in bytes: below AppSync's 1 MB request limit. */
export const MAX_REQUEST_BYTES = 900 * 1024;

/** The fewest milliseconds between two progress writes on one Batch, so subscribers get aggregates, not rows. */
export const BATCH_PROGRESS_INTERVAL_MS = 1_000;

/** Lifecycle of a batch: rows are added while OPEN; it RUNS once all rows are in; it ends FINISHED or CANCELLED. */
export const BATCH_STATUSES = ['OPEN', 'RUNNING', 'FINISHED', 'CANCELLED'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** What a refused batch request answers: a sentence saying what was expected, what came, and what to do. */
export type BatchCheck = { ok: true } | { ok: false; message: string };

const count = (value: number): string => value.toLocaleString('en-US');
const kib = (bytes: number): string => `${count(Math.ceil(bytes / 1024))} KiB`;

/** A client token: what makes a retried `createBatch` answer the batch it already created. */
export const CLIENT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** A batch id as the server makes it (a UUID), so a job id built from it stays unambiguous. */
export const BATCH_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const ROW_SUFFIX = /^(.+)-row-(\d{1,5})$/;

/**
 * The id of row `rowIndex`'s job: the same for every attempt to create it, so a retried request or a redelivered
 * message meets the job already there (a conditional create) instead of making a second one.
 */
export const batchJobId = (batchId: string, rowIndex: number): string => {
  if (!BATCH_ID_PATTERN.test(batchId))
    throw new Error(`A batch id must be a lowercase UUID, but got ${JSON.stringify(batchId)}`);
  if (!Number.isInteger(rowIndex) || rowIndex < 0 || rowIndex >= MAX_ROWS_PER_BATCH)
    throw new Error(
      `A row index must be a whole number from 0 to ${MAX_ROWS_PER_BATCH - 1}, but got ${rowIndex}`,
    );
  return `${batchId}-row-${String(rowIndex).padStart(5, '0')}`;
};

/** The batch and row a job id names, or `undefined` for a job that is not a batch row. */
export const parseBatchJobId = (
  jobId: string,
): { batchId: string; rowIndex: number } | undefined => {
  const match = ROW_SUFFIX.exec(jobId);
  if (!match || !BATCH_ID_PATTERN.test(match[1] ?? '')) return undefined;
  const rowIndex = Number(match[2]);
  if (rowIndex >= MAX_ROWS_PER_BATCH) return undefined;
  return { batchId: match[1] ?? '', rowIndex };
};

/** Whether a client token is usable; otherwise what a valid one looks like. */
export const checkClientToken = (token: string): BatchCheck =>
  CLIENT_TOKEN_PATTERN.test(token)
    ? { ok: true }
    : {
        ok: false,
        message: `A client token must be 8 to 64 letters, digits, "-" or "_", but got ${JSON.stringify(token.length > 70 ? `${token.slice(0, 70)}…` : token)}. Send a fresh random id (crypto.randomUUID()) once per submission.`,
      };

/** Whether a batch of `rowCount` rows may be created. */
export const checkBatchSize = (rowCount: number): BatchCheck => {
  if (!Number.isInteger(rowCount) || rowCount < 1)
    return {
      ok: false,
      message: `A batch needs at least 1 row, but got ${rowCount}. Add rows to the file.`,
    };
  if (rowCount > MAX_ROWS_PER_BATCH)
    return {
      ok: false,
      message: `A batch holds at most ${count(MAX_ROWS_PER_BATCH)} rows, but this one has ${count(rowCount)}. Split the file into batches of ${count(MAX_ROWS_PER_BATCH)} rows or fewer.`,
    };
  return { ok: true };
};

/** Whether a user with `queuedNow` rows queued or rendering may queue `adding` more. */
export const checkQueuedRows = (queuedNow: number, adding: number): BatchCheck =>
  queuedNow + adding <= MAX_QUEUED_ROWS_PER_USER
    ? { ok: true }
    : {
        ok: false,
        message: `You have ${count(queuedNow)} batch rows queued or rendering; ${count(adding)} more would exceed the limit of ${count(MAX_QUEUED_ROWS_PER_USER)}. Wait for a batch to finish or cancel one, then submit again.`,
      };

/** Serialized size of rows as an `addBatchRows` request sends them, in UTF-8 bytes. */
export const measureRowsBytes = (rows: readonly unknown[]): number =>
  new TextEncoder().encode(JSON.stringify(rows)).length;

/** Whether one `addBatchRows` request may carry these rows (the planner below never makes one that may not). */
export const checkRowsRequest = (rows: readonly unknown[]): BatchCheck => {
  if (rows.length === 0)
    return { ok: false, message: 'A request to add rows needs at least 1 row, but got 0.' };
  if (rows.length > MAX_ROWS_PER_REQUEST)
    return {
      ok: false,
      message: `A request may add at most ${MAX_ROWS_PER_REQUEST} rows, but got ${count(rows.length)}. Send the rows in chunks.`,
    };
  const bytes = measureRowsBytes(rows);
  if (bytes > MAX_REQUEST_BYTES)
    return {
      ok: false,
      message: `A request may carry at most ${kib(MAX_REQUEST_BYTES)} of rows, but got ${kib(bytes)}. Send the rows in smaller chunks.`,
    };
  return { ok: true };
};

/** One `addBatchRows` request: rows `firstRowIndex` … `firstRowIndex + rows.length - 1` of the batch. */
export interface RowChunk<Row> {
  firstRowIndex: number;
  rows: Row[];
}

/**
 * Splits a batch's rows into as few requests as the limits allow, in order: each at most
 * {@link MAX_ROWS_PER_REQUEST} rows and {@link MAX_REQUEST_BYTES}. A row larger than a job's props may be is
 * refused here, before anything is sent.
 */
export const planRowChunks = <Row>(rows: readonly Row[]): RowChunk<Row>[] => {
  const chunks: RowChunk<Row>[] = [];
  let current: RowChunk<Row> = { firstRowIndex: 0, rows: [] };
  // `[` and `]`, plus a comma before every row but the first.
  let currentBytes = 2;
  const encoder = new TextEncoder();
  rows.forEach((row, index) => {
    const rowBytes = encoder.encode(JSON.stringify(row)).length;
    if (rowBytes > MAX_INPUT_PROPS_BYTES)
      throw new Error(
        `Row ${index + 1} is ${kib(rowBytes)} of props, but a render accepts at most ${kib(MAX_INPUT_PROPS_BYTES)}. Shorten its values.`,
      );
    const added = rowBytes + (current.rows.length > 0 ? 1 : 0);
    if (
      current.rows.length > 0 &&
      (current.rows.length >= MAX_ROWS_PER_REQUEST || currentBytes + added > MAX_REQUEST_BYTES)
    ) {
      chunks.push(current);
      current = { firstRowIndex: index, rows: [] };
      currentBytes = 2;
    }
    currentBytes += rowBytes + (current.rows.length > 0 ? 1 : 0);
    current.rows.push(row);
  });
  if (current.rows.length > 0) chunks.push(current);
  return chunks;
};

/** A batch's rows by status: the server-owned counters on a Batch. */
export interface BatchCounts {
  queued: number;
  rendering: number;
  succeeded: number;
  failed: number;
  cancelled: number;
}

/** What the batch card shows from its counters. */
export interface BatchSummary {
  /** Rows that ended, any way. */
  finished: number;
  /** Overall progress, 0–100, whole. */
  percent: number;
  /** Seconds until every row ends at the pace so far, or `undefined` before any row ended or once all did. */
  etaSeconds: number | undefined;
  done: boolean;
}

/** Summarizes counters of a batch of `rowCount` rows, `elapsedSeconds` after it started. */
export const summarizeBatch = (
  counts: BatchCounts,
  rowCount: number,
  elapsedSeconds: number,
): BatchSummary => {
  const finished = counts.succeeded + counts.failed + counts.cancelled;
  const done = rowCount > 0 && finished >= rowCount;
  const percent = rowCount > 0 ? Math.min(100, Math.floor((finished / rowCount) * 100)) : 0;
  const etaSeconds =
    done || finished === 0 || elapsedSeconds <= 0
      ? undefined
      : Math.round(((rowCount - finished) * elapsedSeconds) / finished);
  return { finished, percent, etaSeconds, done };
};
