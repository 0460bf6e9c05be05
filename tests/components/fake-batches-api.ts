import type {
  AddRowsResult,
  Batch,
  BatchRowJob,
  BatchesApi,
} from '../../src/features/batch/api/batches-api';

/** A batch record as the backend would return it; override what the test is about. */
export function makeBatch(overrides: Partial<Batch> = {}): Batch {
  const createdAt = new Date(Date.now() - 60_000).toISOString();
  return {
    id: '11111111-2222-4333-8444-555555555555',
    compositionId: 'title-card',
    title: 'Customers',
    status: 'RUNNING',
    rowCount: 5,
    addedRows: 5,
    queued: 5,
    rendering: 0,
    succeeded: 0,
    failed: 0,
    cancelled: 0,
    progress: 0,
    costUsd: null,
    createdAt,
    updatedAt: createdAt,
    finishedAt: null,
    ...overrides,
  };
}

/** A row's job as the batch index lists it. */
export function makeRow(rowIndex: number, overrides: Partial<BatchRowJob> = {}): BatchRowJob {
  return {
    jobId: `job-row-${rowIndex}`,
    rowIndex,
    status: 'QUEUED',
    title: `Row ${rowIndex + 1}`,
    progress: 0,
    errorMessage: null,
    costUsd: null,
    updatedAt: new Date().toISOString(),
    ...overrides,
  };
}

/** An in-memory {@link BatchesApi}: idempotent like the server, records calls, can fail on demand. */
export class FakeBatchesApi implements BatchesApi {
  batches = new Map<string, Batch>();
  byToken = new Map<string, string>();
  rows = new Map<string, Map<number, Record<string, unknown>>>();
  createCalls: Parameters<BatchesApi['createBatch']>[0][] = [];
  addCalls: { batchId: string; firstRowIndex: number; count: number }[] = [];
  listRowCalls: { fromRowIndex: number; toRowIndex: number }[] = [];
  cancelled: string[] = [];
  retried: { batchId: string; rowIndexes?: readonly number[] }[] = [];
  /** Rows the list answers for a batch, when a test sets them. */
  rowJobs = new Map<string, BatchRowJob[]>();
  /** Failures to throw from the next `addBatchRows` calls, one per call. */
  addFailures: Error[] = [];
  subscribers = new Set<{ onBatch: (batch: Batch) => void; onError: (error: Error) => void }>();
  private nextId = 1;

  async createBatch(input: Parameters<BatchesApi['createBatch']>[0]) {
    this.createCalls.push(input);
    const existing = this.byToken.get(input.clientToken);
    if (existing) return this.batches.get(existing)!;
    const id = `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
    const batch = makeBatch({
      id,
      compositionId: input.compositionId,
      title: input.title ?? null,
      rowCount: input.rowCount,
      status: 'OPEN',
      addedRows: 0,
      queued: 0,
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    this.batches.set(id, batch);
    this.byToken.set(input.clientToken, id);
    this.rows.set(id, new Map());
    return batch;
  }

  async addBatchRows({
    batchId,
    firstRowIndex,
    rows,
  }: Parameters<BatchesApi['addBatchRows']>[0]): Promise<AddRowsResult> {
    this.addCalls.push({ batchId, firstRowIndex, count: rows.length });
    const failure = this.addFailures.shift();
    if (failure) throw failure;
    const stored = this.rows.get(batchId)!;
    let added = 0;
    rows.forEach((row, offset) => {
      if (stored.has(firstRowIndex + offset)) return;
      stored.set(firstRowIndex + offset, row);
      added += 1;
    });
    const batch = this.batches.get(batchId)!;
    const status = stored.size >= batch.rowCount ? 'RUNNING' : 'OPEN';
    this.batches.set(batchId, { ...batch, addedRows: stored.size, queued: stored.size, status });
    return { added, alreadyPresent: rows.length - added, addedRows: stored.size, status };
  }

  async cancelBatch(batchId: string) {
    this.cancelled.push(batchId);
    return { ...this.batches.get(batchId)!, status: 'CANCELLED' as const };
  }

  async retryBatchRows(batchId: string, rowIndexes?: readonly number[]) {
    this.retried.push({ batchId, ...(rowIndexes ? { rowIndexes } : {}) });
    return this.batches.get(batchId)!;
  }

  async listBatches({ limit }: { limit: number }) {
    return [...this.batches.values()].slice(0, limit);
  }

  async listBatchRows(batchId: string, range: { fromRowIndex: number; toRowIndex: number }) {
    this.listRowCalls.push(range);
    return (this.rowJobs.get(batchId) ?? []).filter(
      (row) => row.rowIndex >= range.fromRowIndex && row.rowIndex <= range.toRowIndex,
    );
  }

  async getVideoUrl(jobId: string) {
    return { url: `https://videos.test/${jobId}.mp4`, expiresAt: new Date().toISOString() };
  }

  subscribe(listener: { onBatch: (batch: Batch) => void; onError: (error: Error) => void }) {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /** Pushes a subscription event, as the server's throttled aggregate update would. */
  push(batch: Batch) {
    this.batches.set(batch.id, batch);
    for (const subscriber of this.subscribers) subscriber.onBatch(batch);
  }
}
