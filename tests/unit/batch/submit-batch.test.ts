import { describe, expect, it } from 'vitest';
import { MAX_ROWS_PER_REQUEST } from '../../../contract/batch-contract';
import {
  BatchRefusedError,
  planBatchSubmission,
  sendBatchSubmission,
  type SubmitProgress,
} from '../../../src/features/batch/submit/submit-batch';
import { FakeBatchesApi } from '../../components/fake-batches-api';

const rowsOf = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ title: `Row ${index + 1}` }));
const noWait = async () => {};

describe('sendBatchSubmission', () => {
  it('sends 1,200 rows in the planner’s chunks: one createBatch and three addBatchRows, in order', async () => {
    const api = new FakeBatchesApi();
    const submission = planBatchSubmission({
      compositionId: 'title-card',
      title: 'Big',
      rows: rowsOf(1_200),
    });
    const seen: SubmitProgress[] = [];
    const batch = await sendBatchSubmission(api, submission, {
      onProgress: (p) => seen.push(p),
      wait: noWait,
    });
    expect(api.createCalls).toEqual([
      {
        clientToken: submission.clientToken,
        compositionId: 'title-card',
        rowCount: 1_200,
        title: 'Big',
      },
    ]);
    expect(api.addCalls.map((call) => [call.firstRowIndex, call.count])).toEqual([
      [0, MAX_ROWS_PER_REQUEST],
      [500, 500],
      [1_000, 200],
    ]);
    expect(batch).toMatchObject({ status: 'RUNNING', addedRows: 1_200 });
    expect(seen.at(-1)).toEqual({ phase: 'adding', sentRows: 1_200, totalRows: 1_200 });
  });

  it('after the attempts run out, sending again resumes at the failed chunk with the same token', async () => {
    const api = new FakeBatchesApi();
    const submission = planBatchSubmission({
      compositionId: 'title-card',
      title: 'T',
      rows: rowsOf(1_200),
    });
    // The second chunk fails three times: the first attempt's error reaches the caller.
    api.addFailures = [];
    const original = api.addBatchRows.bind(api);
    let calls = 0;
    api.addBatchRows = async (input) => {
      calls += 1;
      if (calls >= 2 && calls <= 4) {
        api.addCalls.push({
          batchId: input.batchId,
          firstRowIndex: input.firstRowIndex,
          count: input.rows.length,
        });
        throw new TypeError('Failed to fetch');
      }
      return original(input);
    };
    await expect(sendBatchSubmission(api, submission, { wait: noWait })).rejects.toThrow(
      'Failed to fetch',
    );
    expect(submission.confirmedChunks).toBe(1);

    await sendBatchSubmission(api, submission, { wait: noWait });
    expect(api.createCalls).toHaveLength(1);
    expect(api.addCalls.map((call) => call.firstRowIndex)).toEqual([0, 500, 500, 500, 500, 1_000]);
    expect([...api.rows.values()][0]!.size).toBe(1_200);
  });

  it('a lost answer is harmless: the same chunk sent twice adds its rows once', async () => {
    const api = new FakeBatchesApi();
    const submission = planBatchSubmission({
      compositionId: 'title-card',
      title: 'T',
      rows: rowsOf(3),
    });
    const original = api.addBatchRows.bind(api);
    let first = true;
    api.addBatchRows = async (input) => {
      const result = await original(input);
      if (first) {
        first = false;
        throw new TypeError('Network error: the answer was lost');
      }
      return result;
    };
    const batch = await sendBatchSubmission(api, submission, { wait: noWait });
    expect(batch.addedRows).toBe(3);
    expect([...api.rows.values()][0]!.size).toBe(3);
  });

  it('never repeats a refusal', async () => {
    const api = new FakeBatchesApi();
    api.createBatch = async () => {
      throw new BatchRefusedError('A batch holds at most 10,000 rows, but this one has 10,001.');
    };
    const submission = planBatchSubmission({
      compositionId: 'title-card',
      title: 'T',
      rows: rowsOf(2),
    });
    await expect(sendBatchSubmission(api, submission, { wait: noWait })).rejects.toThrow(
      /at most 10,000/,
    );
    expect(api.addCalls).toEqual([]);
  });
});
