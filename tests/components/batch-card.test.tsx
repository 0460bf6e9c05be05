import {
  act,
  fireEvent,
  render,
  renderHook,
  screen,
  waitFor,
  within,
} from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchCard } from '../../src/features/batch/components/batch-card';
import { BatchesSection } from '../../src/features/batch/components/batches-section';
import { useBatches } from '../../src/features/batch/hooks/use-batches';
import { batchJobId } from '../../contract/batch-contract';
import { useJobs } from '../../src/features/jobs/hooks/use-jobs';
import { FakeBatchesApi, makeBatch, makeRow } from './fake-batches-api';
import { FakeJobsApi, makeJob } from './fake-jobs-api';

// jsdom lays nothing out: give the row list's scroll box a height so the virtualizer has a window to fill.
const descriptor = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return this.classList.contains('batch-rows__scroll') ? 320 : 0;
    },
  });
});
afterAll(() => {
  if (descriptor) Object.defineProperty(HTMLElement.prototype, 'clientHeight', descriptor);
});

const noop = async () => {};

describe('BatchCard', () => {
  it('shows counts per status, overall %, an ETA from the pace so far and the cost so far', () => {
    const batch = makeBatch({
      rowCount: 200,
      queued: 100,
      rendering: 4,
      succeeded: 90,
      failed: 6,
      cancelled: 0,
      costUsd: 0.0123,
      createdAt: new Date(Date.now() - 96_000).toISOString(),
    });
    render(
      <BatchCard
        batch={batch}
        api={new FakeBatchesApi()}
        compositionName="Title card"
        onCancel={noop}
        onRetryFailed={noop}
      />,
    );
    const card = screen.getByRole('article', { name: 'Batch Customers, Running' });
    expect(within(card).getByRole('progressbar')).toHaveAttribute('aria-valuenow', '48');
    const counts = screen.getByTestId('batch-counts');
    expect(counts.querySelector('[data-count="succeeded"] dd')).toHaveTextContent('90');
    expect(counts.querySelector('[data-count="failed"] dd')).toHaveTextContent('6');
    expect(counts.querySelector('[data-count="rendering"] dd')).toHaveTextContent('4');
    expect(counts).toHaveTextContent('Cost so far$0.0123');
    // 96 rows ended in 96 s: 104 left at one a second.
    expect(screen.getByTestId('batch-eta')).toHaveTextContent(/about 1 min 4[0-9] s left/);
    expect(screen.getByRole('button', { name: 'Retry 6 failed' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Cancel batch' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Download all' })).toBeEnabled();
  });

  it('a finished batch offers no Cancel and shows no ETA', () => {
    const batch = makeBatch({
      status: 'FINISHED',
      queued: 0,
      succeeded: 5,
      finishedAt: new Date().toISOString(),
    });
    render(
      <BatchCard
        batch={batch}
        api={new FakeBatchesApi()}
        compositionName="Title card"
        onCancel={noop}
        onRetryFailed={noop}
      />,
    );
    expect(screen.getByTestId('batch-status')).toHaveTextContent('Finished');
    expect(screen.queryByRole('button', { name: 'Cancel batch' })).toBeNull();
    expect(screen.queryByTestId('batch-eta')).toBeNull();
  });

  it('lists 10,000 rows virtualized: a few dozen in the page, fetched a page of the index at a time', async () => {
    const api = new FakeBatchesApi();
    const batch = makeBatch({ rowCount: 10_000, queued: 10_000 });
    api.rowJobs.set(
      batch.id,
      Array.from({ length: 10_000 }, (_, index) =>
        makeRow(index, index === 9_990 ? { status: 'FAILED', errorMessage: 'boom' } : {}),
      ),
    );
    const user = userEvent.setup();
    const retried: { batchId: string; rowIndexes?: readonly number[] }[] = [];
    render(
      <BatchCard
        batch={batch}
        api={api}
        compositionName="Title card"
        onCancel={noop}
        onRetryFailed={async (batchId, rowIndexes) => {
          retried.push({ batchId, rowIndexes });
        }}
      />,
    );
    await user.click(screen.getByRole('button', { name: 'Show rows' }));
    const list = screen.getByRole('list', { name: 'Rows of the batch (10,000)' });
    await waitFor(() => expect(within(list).getByText('Row 1')).toBeInTheDocument());
    const shown = within(list).getAllByRole('listitem').length;
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(40);
    expect(api.listRowCalls).toEqual([{ fromRowIndex: 0, toRowIndex: 99 }]);

    // Scroll near the end: only that page is fetched, and its rows appear.
    const scroller = list as HTMLDivElement;
    act(() => {
      scroller.scrollTop = 9_985 * 32;
      fireEvent.scroll(scroller);
    });
    await waitFor(() => expect(within(list).getByText('boom')).toBeInTheDocument());
    expect(api.listRowCalls.map((call) => call.fromRowIndex)).toEqual([0, 9_900]);
    expect(within(list).getAllByRole('listitem').length).toBeLessThan(40);

    // A failed row is retried alone from its line.
    await user.click(within(list).getByRole('button', { name: 'Retry row 9991' }));
    expect(retried).toEqual([{ batchId: batch.id, rowIndexes: [9_990] }]);
  });
});

function Section({ api }: { api: FakeBatchesApi }) {
  const batches = useBatches(api);
  return (
    <BatchesSection api={api} batches={batches} compositionNames={{ 'title-card': 'Title card' }} />
  );
}

describe('BatchesSection', () => {
  it('follows the Batch subscription live, and Cancel / Retry call the API', async () => {
    const api = new FakeBatchesApi();
    const batch = makeBatch({ rowCount: 5, queued: 5 });
    api.batches.set(batch.id, batch);
    const user = userEvent.setup();
    render(<Section api={api} />);
    const bar = await screen.findByRole('progressbar');
    expect(bar).toHaveAttribute('aria-valuenow', '0');

    act(() =>
      api.push({
        ...batch,
        queued: 2,
        succeeded: 2,
        failed: 1,
        updatedAt: new Date(Date.now() + 1_000).toISOString(),
      }),
    );
    expect(bar).toHaveAttribute('aria-valuenow', '60');
    await user.click(screen.getByRole('button', { name: 'Retry 1 failed' }));
    expect(api.retried).toEqual([{ batchId: batch.id }]);
    await user.click(screen.getByRole('button', { name: 'Cancel batch' }));
    expect(api.cancelled).toEqual([batch.id]);
    await waitFor(() => expect(screen.getByTestId('batch-status')).toHaveTextContent('Cancelled'));
  });
});

describe('batch rows among the single renders', () => {
  it('the jobs list leaves a batch’s row jobs to the batch card, listed or pushed', async () => {
    const api = new FakeJobsApi();
    const batchId = makeBatch().id;
    api.jobs.push(
      makeJob({ title: 'single' }),
      makeJob({ id: batchJobId(batchId, 0), title: 'row 1' }),
    );
    const { result } = renderHook(() => useJobs(api));
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    act(() =>
      api.push(makeJob({ id: batchJobId(batchId, 1), title: 'row 2', status: 'RENDERING' })),
    );
    expect(result.current.jobs.map((job) => job.title)).toEqual(['single']);
  });
});
