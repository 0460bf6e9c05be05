import { describe, expect, it } from 'vitest';
import {
  batchJobId,
  checkBatchSize,
  checkClientToken,
  checkQueuedRows,
  checkRowsRequest,
  MAX_QUEUED_ROWS_PER_USER,
  MAX_REQUEST_BYTES,
  MAX_ROWS_PER_BATCH,
  MAX_ROWS_PER_REQUEST,
  measureRowsBytes,
  parseBatchJobId,
  planRowChunks,
  summarizeBatch,
} from '../../../contract/batch-contract';
import { MAX_INPUT_PROPS_BYTES } from '../../../contract/job-contract';

const BATCH_ID = '0f8c2a4e-1b3d-4e5f-8a9b-0c1d2e3f4a5b';
const rowOf = (bytes: number) => ({ title: 'x'.repeat(bytes) });

describe('batch job ids', () => {
  it('are the same for the same row, every time, and differ between rows and batches', () => {
    expect(batchJobId(BATCH_ID, 17)).toBe(batchJobId(BATCH_ID, 17));
    expect(batchJobId(BATCH_ID, 17)).not.toBe(batchJobId(BATCH_ID, 18));
    expect(batchJobId(BATCH_ID, 1)).not.toBe(batchJobId(BATCH_ID.replace(/5b$/, '5c'), 1));
    const ids = new Set(
      Array.from({ length: MAX_ROWS_PER_BATCH }, (_, i) => batchJobId(BATCH_ID, i)),
    );
    expect(ids.size).toBe(MAX_ROWS_PER_BATCH);
  });

  it('round-trip through parseBatchJobId; other ids are not batch rows', () => {
    expect(parseBatchJobId(batchJobId(BATCH_ID, 9_999))).toEqual({
      batchId: BATCH_ID,
      rowIndex: 9_999,
    });
    expect(parseBatchJobId(batchJobId(BATCH_ID, 0))).toEqual({ batchId: BATCH_ID, rowIndex: 0 });
    expect(parseBatchJobId('2c7c5c1e-5b1f-4a51-9d3e-4c8f0e7f9a10')).toBeUndefined();
    expect(parseBatchJobId('not-a-uuid-row-00001')).toBeUndefined();
    expect(parseBatchJobId(`${BATCH_ID}-row-99999`)).toBeUndefined();
  });

  it('refuse a batch id that is not a UUID and a row outside the batch', () => {
    expect(() => batchJobId('../etc', 1)).toThrow(/must be a lowercase UUID, but got "..\/etc"/);
    expect(() => batchJobId(BATCH_ID, -1)).toThrow(/from 0 to 9999, but got -1/);
    expect(() => batchJobId(BATCH_ID, MAX_ROWS_PER_BATCH)).toThrow(/but got 10000/);
    expect(() => batchJobId(BATCH_ID, 1.5)).toThrow(/but got 1.5/);
  });
});

describe('submit limits', () => {
  it('accept 1 to 10,000 rows and refuse the rest saying what to do', () => {
    expect(checkBatchSize(1)).toEqual({ ok: true });
    expect(checkBatchSize(MAX_ROWS_PER_BATCH)).toEqual({ ok: true });
    expect(checkBatchSize(0)).toEqual({
      ok: false,
      message: 'A batch needs at least 1 row, but got 0. Add rows to the file.',
    });
    expect(checkBatchSize(12_001)).toEqual({
      ok: false,
      message:
        'A batch holds at most 10,000 rows, but this one has 12,001. Split the file into batches of 10,000 rows or fewer.',
    });
  });

  it('cap the rows one user has queued over all batches', () => {
    expect(checkQueuedRows(MAX_QUEUED_ROWS_PER_USER - 10, 10)).toEqual({ ok: true });
    expect(checkQueuedRows(19_500, 1_000)).toEqual({
      ok: false,
      message:
        'You have 19,500 batch rows queued or rendering; 1,000 more would exceed the limit of 20,000. Wait for a batch to finish or cancel one, then submit again.',
    });
  });

  it('check client tokens', () => {
    expect(checkClientToken(crypto.randomUUID())).toEqual({ ok: true });
    const short = checkClientToken('abc');
    expect(short.ok).toBe(false);
    expect(!short.ok && short.message).toMatch(
      /8 to 64 letters, digits, "-" or "_", but got "abc"/,
    );
    expect(checkClientToken('a b c d e f g h').ok).toBe(false);
    expect(checkClientToken('x'.repeat(65)).ok).toBe(false);
  });

  it('refuse a request over 500 rows or 900 KiB', () => {
    expect(checkRowsRequest([{}])).toEqual({ ok: true });
    expect(checkRowsRequest([])).toMatchObject({ ok: false });
    expect(checkRowsRequest(Array.from({ length: 501 }, () => ({})))).toEqual({
      ok: false,
      message: 'A request may add at most 500 rows, but got 501. Send the rows in chunks.',
    });
    const heavy = Array.from({ length: 20 }, () => rowOf(50_000));
    const refused = checkRowsRequest(heavy);
    expect(refused).toMatchObject({ ok: false });
    expect(!refused.ok && refused.message).toMatch(
      /^A request may carry at most 900 KiB of rows, but got 977 KiB\./,
    );
  });
});

describe('planRowChunks', () => {
  it('sends no request for no rows and one for a few', () => {
    expect(planRowChunks([])).toEqual([]);
    expect(planRowChunks([{ a: 1 }, { a: 2 }])).toEqual([
      { firstRowIndex: 0, rows: [{ a: 1 }, { a: 2 }] },
    ]);
  });

  it('splits 10,000 small rows into 20 requests of 500, in order', () => {
    const rows = Array.from({ length: MAX_ROWS_PER_BATCH }, (_, i) => ({ i }));
    const chunks = planRowChunks(rows);
    expect(chunks).toHaveLength(20);
    expect(chunks.map((chunk) => chunk.firstRowIndex)).toEqual(
      Array.from({ length: 20 }, (_, i) => i * MAX_ROWS_PER_REQUEST),
    );
    expect(chunks.flatMap((chunk) => chunk.rows)).toEqual(rows);
  });

  it('splits by bytes when rows are large, and every chunk passes the request check', () => {
    const rows = Array.from({ length: 100 }, (_, i) => rowOf(30_000 + i));
    const chunks = planRowChunks(rows);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(checkRowsRequest(chunk.rows)).toEqual({ ok: true });
      expect(measureRowsBytes(chunk.rows)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
    // Each chunk is as full as it can be: the next row would not have fitted.
    for (const [index, chunk] of chunks.slice(0, -1).entries()) {
      const next = chunks[index + 1]!.rows[0];
      expect(measureRowsBytes([...chunk.rows, next])).toBeGreaterThan(MAX_REQUEST_BYTES);
    }
    expect(chunks.flatMap((chunk) => chunk.rows)).toEqual(rows);
  });

  it('refuses a row larger than a render accepts, naming it', () => {
    const rows = [rowOf(10), rowOf(MAX_INPUT_PROPS_BYTES)];
    expect(() => planRowChunks(rows)).toThrow(
      /^Row 2 is 65 KiB of props, but a render accepts at most 64 KiB/,
    );
  });
});

describe('summarizeBatch', () => {
  const counts = { queued: 0, rendering: 0, succeeded: 0, failed: 0, cancelled: 0 };

  it('has no ETA before any row ended and none once all did', () => {
    expect(summarizeBatch({ ...counts, queued: 10 }, 10, 30)).toEqual({
      finished: 0,
      percent: 0,
      etaSeconds: undefined,
      done: false,
    });
    expect(summarizeBatch({ ...counts, succeeded: 8, failed: 1, cancelled: 1 }, 10, 30)).toEqual({
      finished: 10,
      percent: 100,
      etaSeconds: undefined,
      done: true,
    });
  });

  it('projects the pace so far onto the rows left', () => {
    expect(
      summarizeBatch({ ...counts, succeeded: 3, failed: 1, queued: 4, rendering: 2 }, 10, 40),
    ).toEqual({
      finished: 4,
      percent: 40,
      etaSeconds: 60,
      done: false,
    });
  });
});
