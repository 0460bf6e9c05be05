import { describe, expect, it, vi } from 'vitest';
import type {
  BatchRecord,
  BatchTables,
  BatchWrites,
  RowJob,
  RowState,
} from '../../../amplify/functions/batches/batch-ports';
import {
  countRows,
  createBatchProgressScheduler,
  RECOUNT_MAX_SPACING_MS,
  recountBatch,
} from '../../../amplify/functions/batches/batch-progress';
import { createBatchResolver } from '../../../amplify/functions/batches/batch-resolver';
import {
  batchIdFor,
  BatchRequestError,
  createBatchService,
} from '../../../amplify/functions/batches/batch-service';
import { batchIdsOfStreamRecords } from '../../../amplify/functions/batches/batch-stream-records';
import {
  BATCH_ID_PATTERN,
  batchJobId,
  MAX_QUEUED_ROWS_PER_USER,
  MAX_ROWS_PER_BATCH,
  MAX_ROWS_PER_REQUEST,
} from '../../../contract/batch-contract';
import type { JobStatus } from '../../../contract/job-contract';
import { parseInputProps } from '../../../remotion/catalog';

const ALICE = 'alice-sub::alice-sub';
const BOB = 'bob-sub::bob-sub';

/** The Batch and Job tables in memory, with the conditional semantics the DynamoDB adapter has. */
const createMemoryTables = () => {
  const batches = new Map<string, BatchRecord>();
  const jobs = new Map<
    string,
    RowJob & { status: JobStatus; costUsd: number; cancelRequested: boolean }
  >();
  const toState = (
    job: RowJob & { status: JobStatus; costUsd: number; cancelRequested: boolean },
  ): RowState => ({
    id: job.id,
    rowIndex: job.rowIndex,
    status: job.status,
    costUsd: job.costUsd,
    cancelRequested: job.cancelRequested,
  });
  const tables: BatchTables = {
    putBatchIfAbsent: async (batch) => {
      if (batches.has(batch.id)) return false;
      batches.set(batch.id, { ...batch });
      return true;
    },
    getBatch: async (id) => (batches.has(id) ? { ...batches.get(id)! } : undefined),
    listOwnerBatches: async (owner) => [...batches.values()].filter((b) => b.owner === owner),
    addToAddedRows: async (id, count) => {
      const batch = batches.get(id)!;
      batch.addedRows += count;
      return batch.addedRows;
    },
    raiseAddedRows: async (id, count) => {
      const batch = batches.get(id)!;
      batch.addedRows = Math.max(batch.addedRows, count);
      return batch.addedRows;
    },
    putRowJobsIfAbsent: async (rows) => {
      let created = 0;
      for (const row of rows) {
        if (jobs.has(row.id)) continue;
        jobs.set(row.id, { ...row, status: 'QUEUED', costUsd: 0, cancelRequested: false });
        created += 1;
      }
      return { created, present: rows.length - created };
    },
    countPresentRows: async (batchId) =>
      [...jobs.values()].filter((j) => j.batchId === batchId).length,
    listRows: async (batchId) =>
      [...jobs.values()]
        .filter((j) => j.batchId === batchId)
        .sort((a, b) => a.rowIndex - b.rowIndex)
        .map(toState),
    getRows: async (ids) => ids.flatMap((id) => (jobs.has(id) ? [toState(jobs.get(id)!)] : [])),
  };
  const writes: BatchWrites = {
    updateBatch: async (id, patch, whenStatus) => {
      const batch = batches.get(id);
      if (!batch || !whenStatus.includes(batch.status)) return undefined;
      Object.assign(batch, patch);
      return { ...batch };
    },
    cancelRow: async (id) => {
      const job = jobs.get(id)!;
      if (job.status === 'QUEUED') {
        Object.assign(job, { status: 'CANCELLED', cancelRequested: true });
        return 'cancelled';
      }
      if (job.status === 'RENDERING') {
        job.cancelRequested = true;
        return 'requested';
      }
      return 'ended';
    },
    requeueRow: async (id) => {
      const job = jobs.get(id)!;
      if (job.status !== 'FAILED') return false;
      job.status = 'QUEUED';
      return true;
    },
  };
  return { tables, writes, batches, jobs };
};

const setUp = (quota: { perDay: number; started: number } = { perDay: 100_000, started: 0 }) => {
  const memory = createMemoryTables();
  const enqueued: string[] = [];
  const quotaReads: string[] = [];
  const service = createBatchService({
    tables: memory.tables,
    writes: memory.writes,
    queue: { enqueue: async (ids) => void enqueued.push(...ids) },
    renderQuota: {
      perDay: quota.perDay,
      startedOn: async (ownerSub, ms) => {
        quotaReads.push(`${ownerSub} ${new Date(ms).toISOString().slice(0, 10)}`);
        // Read at each call, so a test can start renders in between; only Alice has started any.
        return ownerSub === 'alice-sub' ? quota.started : 0;
      },
    },
    parseInputProps,
    isComposition: (id) => id === 'title-card',
    rowsWokenPerRequest: 2,
    now: () => Date.parse('2026-12-05T08:00:00Z'),
  });
  return { ...memory, service, enqueued, quotaReads };
};

const rows = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => ({ title: `Row ${from + i + 1}` }));

describe('createBatch', () => {
  it('answers a retried request with the batch it made, and refuses the token for a different batch', async () => {
    const { service, batches } = setUp();
    const input = { clientToken: 'token-0001', compositionId: 'title-card', rowCount: 5 };
    const first = await service.createBatch(ALICE, input);
    const retried = await service.createBatch(ALICE, input);
    expect(retried.id).toBe(first.id);
    expect(batches.size).toBe(1);
    expect(first).toMatchObject({ status: 'OPEN', rowCount: 5, addedRows: 0, owner: ALICE });
    expect(first.id).toMatch(BATCH_ID_PATTERN);
    await expect(service.createBatch(ALICE, { ...input, rowCount: 6 })).rejects.toThrow(
      /already made batch .* Send a fresh client token/,
    );
  });

  it('gives two owners different batches for the same token', () => {
    expect(batchIdFor(ALICE, 'token-0001')).not.toBe(batchIdFor(BOB, 'token-0001'));
  });

  it('refuses the caps with the contract messages', async () => {
    const { service } = setUp();
    const base = { clientToken: 'token-0002', compositionId: 'title-card' };
    await expect(
      service.createBatch(ALICE, { ...base, rowCount: MAX_ROWS_PER_BATCH + 1 }),
    ).rejects.toThrow(/at most 10,000 rows, but this one has 10,001/);
    await expect(
      service.createBatch(ALICE, { ...base, clientToken: 'x', rowCount: 1 }),
    ).rejects.toThrow(/client token must be 8 to 64/);
    await expect(
      service.createBatch(ALICE, { ...base, compositionId: 'nope', rowCount: 1 }),
    ).rejects.toThrow(/compositionId must name a composition/);
    await expect(
      service.createBatch(ALICE, { ...base, rowCount: 1, metadata: '[1]' }),
    ).rejects.toThrow(/metadata must be a JSON object/);
    // Two full batches fill the queued-rows cap; a third row is refused.
    for (let n = 0; n < MAX_QUEUED_ROWS_PER_USER / MAX_ROWS_PER_BATCH; n += 1)
      await service.createBatch(ALICE, {
        ...base,
        clientToken: `token-full-${n}`,
        rowCount: MAX_ROWS_PER_BATCH,
      });
    await expect(
      service.createBatch(ALICE, { ...base, clientToken: 'token-more', rowCount: 1 }),
    ).rejects.toThrow(
      /20,000 batch rows queued or rendering; 1 more would exceed the limit of 20,000/,
    );
    // Bob's cap is his own.
    await expect(service.createBatch(BOB, { ...base, rowCount: 1 })).resolves.toMatchObject({
      owner: BOB,
    });
  });
});

describe('the daily render quota, checked at submit', () => {
  it('refuses createBatch, addBatchRows and retryBatchRows past what is left today, naming asked, left and the reset', async () => {
    // 50 a day, 10 started today: 40 left.
    const quota = { perDay: 50, started: 10 };
    const { service, batches, jobs, quotaReads } = setUp(quota);
    const base = { compositionId: 'title-card' };
    await expect(
      service.createBatch(ALICE, { ...base, clientToken: 'token-q-41', rowCount: 41 }),
    ).rejects.toThrow(
      'This asks for 41 renders, but your daily quota of 50 (DAILY_RENDERS_PER_USER) allows 40 more today: 10 started, 0 waiting in your other batches. It resets at 2026-12-06T00:00:00.000Z (midnight UTC). Submit at most 40 rows now, or the rest after the reset.',
    );
    expect(quotaReads).toEqual(['alice-sub 2026-12-05']);
    expect(batches.size).toBe(0);
    const first = await service.createBatch(ALICE, {
      ...base,
      clientToken: 'token-q-30',
      rowCount: 30,
    });
    // The first batch's 30 waiting rows count against a second one: 10 are left.
    await expect(
      service.createBatch(ALICE, { ...base, clientToken: 'token-q-11', rowCount: 11 }),
    ).rejects.toThrow(/asks for 11 renders.*allows 10 more today: 10 started, 30 waiting/);
    const second = await service.createBatch(ALICE, {
      ...base,
      clientToken: 'token-q-10',
      rowCount: 10,
    });
    // A retried createBatch meets its batch without a second check.
    await expect(
      service.createBatch(ALICE, { ...base, clientToken: 'token-q-30', rowCount: 30 }),
    ).resolves.toMatchObject({ id: first.id });
    // Rows of a batch fit what createBatch accepted; its own waiting rows are not counted twice.
    await expect(
      service.addBatchRows(ALICE, { batchId: first.id, firstRowIndex: 0, rows: rows(30) }),
    ).resolves.toMatchObject({ added: 30, status: 'RUNNING' });
    // A row started and failed, and a single render started: the retry's one render would pass the quota.
    batches.get(first.id)!.failed = 1;
    jobs.get(batchJobId(first.id, 0))!.status = 'FAILED';
    quota.started = 12;
    await expect(service.retryBatchRows(ALICE, { batchId: first.id })).rejects.toThrow(
      /asks for 1 render, but .* allows 0 more today: 12 started, 39 waiting/,
    );
    // Single renders started since createBatch used the room: the second batch's rows are refused before any is put.
    const crowded = setUp({ perDay: 50, started: 45 });
    crowded.batches.set(second.id, { ...batches.get(second.id)! });
    await expect(
      crowded.service.addBatchRows(ALICE, { batchId: second.id, firstRowIndex: 0, rows: rows(5) }),
    ).rejects.toThrow(/asks for 10 renders.*allows 5 more today: 45 started, 0 waiting/);
    expect(crowded.jobs.size).toBe(0);
    // Bob's quota is his own: Alice's renders and waiting rows do not count against it.
    await expect(
      service.createBatch(BOB, { ...base, clientToken: 'token-q-bob', rowCount: 50 }),
    ).resolves.toMatchObject({ owner: BOB });
  });
});

describe('addBatchRows', () => {
  it('creates each row once under retries, counts rows exactly, and runs the batch when all are in', async () => {
    const { service, jobs, enqueued } = setUp();
    const batch = await service.createBatch(ALICE, {
      clientToken: 'token-0003',
      compositionId: 'title-card',
      rowCount: 4,
    });
    const first = await service.addBatchRows(ALICE, {
      batchId: batch.id,
      firstRowIndex: 0,
      rows: rows(2),
    });
    expect(first).toEqual({
      batchId: batch.id,
      added: 2,
      alreadyPresent: 0,
      addedRows: 2,
      status: 'OPEN',
    });
    // The same request again (a retry, or the message delivered twice) creates nothing.
    const again = await service.addBatchRows(ALICE, {
      batchId: batch.id,
      firstRowIndex: 0,
      rows: rows(2),
    });
    expect(again).toMatchObject({ added: 0, alreadyPresent: 2, addedRows: 2, status: 'OPEN' });
    const last = await service.addBatchRows(ALICE, {
      batchId: batch.id,
      firstRowIndex: 2,
      rows: rows(2, 2),
    });
    expect(last).toMatchObject({ added: 2, addedRows: 4, status: 'RUNNING' });
    expect([...jobs.keys()].sort()).toEqual([0, 1, 2, 3].map((i) => batchJobId(batch.id, i)));
    // Rows wait in the table: each request wakes its first rows, as many as the owner may render at once (2 here).
    expect(enqueued).toEqual([0, 1, 0, 1, 2, 3].map((i) => batchJobId(batch.id, i)));
    expect(jobs.get(batchJobId(batch.id, 3))).toMatchObject({
      owner: ALICE,
      inputProps: { title: 'Row 4' },
      rowIndex: 3,
    });
  });

  it('recounts after a request that created rows but died before counting them', async () => {
    const { service, tables, batches } = setUp();
    const batch = await service.createBatch(ALICE, {
      clientToken: 'token-0004',
      compositionId: 'title-card',
      rowCount: 2,
    });
    // The rows exist, the counter never moved.
    await tables.putRowJobsIfAbsent(
      rows(2).map((props, rowIndex) => ({
        id: batchJobId(batch.id, rowIndex),
        owner: ALICE,
        compositionId: 'title-card',
        inputProps: props,
        title: 't',
        batchId: batch.id,
        rowIndex,
      })),
    );
    const retried = await service.addBatchRows(ALICE, {
      batchId: batch.id,
      firstRowIndex: 0,
      rows: rows(2),
    });
    expect(retried).toMatchObject({ added: 0, alreadyPresent: 2, addedRows: 2, status: 'RUNNING' });
    expect(batches.get(batch.id)?.status).toBe('RUNNING');
  });

  it('validates every row as a single job is validated, naming row and field, and writes nothing', async () => {
    const { service, jobs } = setUp();
    const batch = await service.createBatch(ALICE, {
      clientToken: 'token-0005',
      compositionId: 'title-card',
      rowCount: 3,
    });
    const bad = [{ title: 'ok' }, { title: 'x'.repeat(93) }, { title: 'ok', accentColor: 'red' }];
    const error = await service
      .addBatchRows(ALICE, { batchId: batch.id, firstRowIndex: 0, rows: bad })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchRequestError);
    expect((error as Error).message).toMatch(
      /^2 of 3 rows are invalid, so none was added: row 2: `title` must be at most 80 characters, but got 93; row 3: /,
    );
    expect(jobs.size).toBe(0);
  });

  it("refuses rows outside the batch, oversize requests, and someone else's batch alike", async () => {
    const { service } = setUp();
    const batch = await service.createBatch(ALICE, {
      clientToken: 'token-0006',
      compositionId: 'title-card',
      rowCount: 2,
    });
    await expect(
      service.addBatchRows(ALICE, { batchId: batch.id, firstRowIndex: 1, rows: rows(2) }),
    ).rejects.toThrow(/must lie within the batch's 2 rows/);
    await expect(
      service.addBatchRows(ALICE, {
        batchId: batch.id,
        firstRowIndex: 0,
        rows: rows(MAX_ROWS_PER_REQUEST + 1),
      }),
    ).rejects.toThrow(/at most 500 rows, but got 501/);
    const bobs = await service
      .addBatchRows(BOB, { batchId: batch.id, firstRowIndex: 0, rows: rows(1) })
      .catch((e: unknown) => e);
    const none = await service
      .addBatchRows(BOB, {
        batchId: batchIdFor(BOB, 'nothing-here'),
        firstRowIndex: 0,
        rows: rows(1),
      })
      .catch((e: unknown) => e);
    expect((bobs as Error).message).toMatch(/^No batch .* of yours exists/);
    expect((none as Error).message).toBe(
      (bobs as Error).message.replace(batch.id, batchIdFor(BOB, 'nothing-here')),
    );
  });
});

describe('cancelBatch and retryBatchRows', () => {
  it('cancels queued rows at once and asks rendering ones to cancel; retries failed rows and wakes them', async () => {
    const { service, jobs, enqueued, batches } = setUp();
    const batch = await service.createBatch(ALICE, {
      clientToken: 'token-0007',
      compositionId: 'title-card',
      rowCount: 4,
    });
    await service.addBatchRows(ALICE, { batchId: batch.id, firstRowIndex: 0, rows: rows(4) });
    const [r0, r1, r2, r3] = [0, 1, 2, 3].map((i) => jobs.get(batchJobId(batch.id, i))!);
    enqueued.length = 0;
    r0!.status = 'FAILED';
    r1!.status = 'RENDERING';
    r2!.status = 'SUCCEEDED';
    await expect(service.retryBatchRows(BOB, { batchId: batch.id })).rejects.toThrow(/of yours/);
    await service.retryBatchRows(ALICE, { batchId: batch.id });
    expect(r0!.status).toBe('QUEUED');
    expect(enqueued).toEqual([r0!.id]);
    const cancelled = await service.cancelBatch(ALICE, batch.id);
    expect(cancelled.status).toBe('CANCELLED');
    expect([r0!.status, r1!.status, r2!.status, r3!.status]).toEqual([
      'CANCELLED',
      'RENDERING',
      'SUCCEEDED',
      'CANCELLED',
    ]);
    expect(r1!.cancelRequested).toBe(true);
    await expect(service.retryBatchRows(ALICE, { batchId: batch.id })).rejects.toThrow(
      /was cancelled/,
    );
    await expect(service.cancelBatch(BOB, batch.id)).rejects.toThrow(/of yours/);
    expect(batches.get(batch.id)?.status).toBe('CANCELLED');
  });
});

describe('batch progress', () => {
  it('counts rows by status, with progress and cost', () => {
    const row = (status: JobStatus, costUsd = 0): RowState => ({
      id: status,
      rowIndex: 0,
      status,
      costUsd,
      cancelRequested: false,
    });
    expect(
      countRows(
        [
          row('QUEUED'),
          row('RENDERING', 0.1),
          row('SUCCEEDED', 0.2),
          row('FAILED'),
          row('CANCELLED'),
        ],
        5,
      ),
    ).toEqual({
      queued: 1,
      rendering: 1,
      succeeded: 1,
      failed: 1,
      cancelled: 1,
      progress: 0.6,
      costUsd: 0.3,
    });
  });

  it('ends the batch FINISHED with exact counters once every row ended, and reopens it on a retry', async () => {
    const { service, tables, writes, jobs, batches } = setUp();
    const batch = await service.createBatch(ALICE, {
      clientToken: 'token-0008',
      compositionId: 'title-card',
      rowCount: 2,
    });
    await service.addBatchRows(ALICE, { batchId: batch.id, firstRowIndex: 0, rows: rows(2) });
    const deps = { tables, writes, now: () => Date.parse('2026-12-05T09:00:00Z') };
    for (const job of jobs.values()) Object.assign(job, { status: 'SUCCEEDED', costUsd: 0.25 });
    jobs.get(batchJobId(batch.id, 1))!.status = 'FAILED';
    expect(await recountBatch(deps, batch.id)).toBe('written');
    expect(batches.get(batch.id)).toMatchObject({
      status: 'FINISHED',
      succeeded: 1,
      failed: 1,
      progress: 1,
      costUsd: 0.5,
      finishedAt: '2026-12-05T09:00:00.000Z',
    });
    expect(await recountBatch(deps, batch.id)).toBe('unchanged');
    await service.retryBatchRows(ALICE, { batchId: batch.id, rowIndexes: [1] });
    expect(await recountBatch(deps, batch.id)).toBe('written');
    expect(batches.get(batch.id)).toMatchObject({
      status: 'RUNNING',
      queued: 1,
      failed: 0,
      finishedAt: null,
    });
  });

  it('coalesces changes into one recount per interval (longer after a slow one) and always recounts after the last change', async () => {
    vi.useFakeTimers();
    try {
      const recounts: number[] = [];
      let release: (() => void) | undefined;
      const scheduler = createBatchProgressScheduler({
        intervalMs: 1000,
        timers: { now: () => Date.now(), setTimeout: (run, ms) => setTimeout(run, ms) },
        recount: async () => {
          recounts.push(Date.now());
          // The first recount is slow: changes arrive while it runs.
          if (recounts.length === 1) await new Promise<void>((done) => (release = done));
        },
      });
      const start = Date.now();
      scheduler.noteChanged('b');
      for (let i = 0; i < 50; i += 1) scheduler.noteChanged('b');
      expect(recounts).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(300);
      release?.();
      await vi.advanceTimersByTimeAsync(0);
      // Changes during the running recount: exactly one more. The first took 300 ms, more than a tenth of the
      // interval, so the next waits ten times that: 3,000 ms after the first began.
      await vi.advanceTimersByTimeAsync(2699);
      expect(recounts).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(recounts.map((at) => at - start)).toEqual([0, 3000]);
      // A quick recount (the second took no time) lets the next one come an interval later.
      scheduler.noteChanged('b');
      await vi.advanceTimersByTimeAsync(999);
      expect(recounts).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(recounts.map((at) => at - start)).toEqual([0, 3000, 4000]);
      // Quiet, then one change: counted at once (the interval has passed).
      await vi.advanceTimersByTimeAsync(5000);
      scheduler.noteChanged('b');
      await scheduler.idle();
      expect(recounts).toHaveLength(4);
    } finally {
      vi.useRealTimers();
    }
  });

  it('pushes the next recount back at most RECOUNT_MAX_SPACING_MS after a very slow one', async () => {
    vi.useFakeTimers();
    try {
      const recounts: number[] = [];
      const scheduler = createBatchProgressScheduler({
        intervalMs: 1000,
        timers: { now: () => Date.now(), setTimeout: (run, ms) => setTimeout(run, ms) },
        recount: async () => {
          recounts.push(Date.now());
          // The first takes 10 s: a tenth's rule alone would wait 100 s.
          if (recounts.length === 1) await new Promise((done) => setTimeout(done, 10_000));
        },
      });
      const start = Date.now();
      scheduler.noteChanged('b');
      await vi.advanceTimersByTimeAsync(5000);
      scheduler.noteChanged('b');
      // Spacing counts from the start of the slow recount: the cap, not ten times its 10 s.
      await vi.advanceTimersByTimeAsync(RECOUNT_MAX_SPACING_MS - 5000 - 1);
      expect(recounts).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(recounts.map((at) => at - start)).toEqual([0, RECOUNT_MAX_SPACING_MS]);
      await scheduler.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the resolver and the stream', () => {
  it('refuses a caller without a user and arguments of the wrong shape', async () => {
    const { service } = setUp();
    const resolve = createBatchResolver(service);
    await expect(
      resolve({ fieldName: 'cancelBatch', arguments: { batchId: 'x' }, identity: {} }),
    ).rejects.toThrow(/sign in/);
    await expect(
      resolve({
        fieldName: 'addBatchRows',
        arguments: { batchId: 'x', firstRowIndex: 0, rows: '{"a":1}' },
        identity: { sub: 's', username: 's' },
      }),
    ).rejects.toThrow(/rows must be a JSON array/);
  });

  it('names each batch a stream batch touched, once', () => {
    const image = (batchId?: string) => (batchId ? { batchId: { S: batchId } } : {});
    expect(
      batchIdsOfStreamRecords([
        { dynamodb: { NewImage: image('a') } },
        { dynamodb: { NewImage: image(), OldImage: image() } },
        { dynamodb: { OldImage: image('b') } },
        { dynamodb: { NewImage: image('a') } },
      ]),
    ).toEqual(['a', 'b']);
  });
});
