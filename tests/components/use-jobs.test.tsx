import { act, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isPendingJobId, useJobs } from '../../src/features/jobs/hooks/use-jobs';
import { FakeJobsApi, makeJob } from './fake-jobs-api';

afterEach(() => vi.useRealTimers());

describe('useJobs', () => {
  it('lists the first page newest first, then applies subscription updates', async () => {
    const api = new FakeJobsApi();
    const older = makeJob({ title: 'older' });
    const newer = makeJob({ title: 'newer' });
    api.jobs.push(older, newer);
    const { result } = renderHook(() => useJobs(api, { pageSize: 5 }));
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    expect(result.current.jobs.map((job) => job.title)).toEqual(['newer', 'older']);
    expect(api.pageSize).toBe(5);

    act(() =>
      api.push({
        ...older,
        status: 'RENDERING',
        progress: 0.4,
        updatedAt: '2026-11-23T12:00:00.000Z',
      }),
    );
    expect(result.current.jobs.find((job) => job.id === older.id)).toMatchObject({
      status: 'RENDERING',
      progress: 0.4,
    });

    const created = makeJob({ title: 'from elsewhere' });
    act(() => api.push(created));
    expect(result.current.jobs[0]?.id).toBe(created.id);
  });

  it('keeps a newer subscription update when an older copy arrives later', async () => {
    const api = new FakeJobsApi();
    const job = makeJob();
    const { result } = renderHook(() => useJobs(api));
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    act(() => api.push({ ...job, status: 'SUCCEEDED', updatedAt: '2026-11-23T11:00:00.000Z' }));
    act(() => api.push({ ...job, status: 'RENDERING', updatedAt: '2026-11-23T10:59:00.000Z' }));
    expect(result.current.jobs[0]?.status).toBe('SUCCEEDED');
  });

  it('subscribes once and unsubscribes on unmount', async () => {
    const api = new FakeJobsApi();
    const { result, unmount, rerender } = renderHook(() => useJobs(api));
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    rerender();
    expect(api.subscribers.size).toBe(1);
    expect(api.connectionListeners.size).toBe(1);
    unmount();
    expect(api.subscribers.size).toBe(0);
    expect(api.connectionListeners.size).toBe(0);
  });

  it('shows a created job as QUEUED at once, then the confirmed record', async () => {
    const api = new FakeJobsApi();
    let release = () => {};
    api.holdCreate = new Promise((resolve) => (release = resolve));
    const { result } = renderHook(() => useJobs(api));
    await waitFor(() => expect(result.current.phase).toBe('ready'));

    let creation: Promise<unknown> = Promise.resolve();
    act(() => {
      creation = result.current.createJob({
        compositionId: 'title-card',
        inputProps: { title: 'A' },
        title: 'A',
      });
    });
    expect(result.current.jobs).toHaveLength(1);
    expect(result.current.jobs[0]).toMatchObject({ status: 'QUEUED', title: 'A' });
    expect(isPendingJobId(result.current.jobs[0]!.id)).toBe(true);

    await act(async () => {
      release();
      await creation;
    });
    expect(result.current.jobs).toHaveLength(1);
    expect(result.current.jobs[0]!.id).toBe(api.jobs[0]!.id);
  });

  it('removes the optimistic job and rejects when creating fails', async () => {
    const api = new FakeJobsApi();
    api.createError = new Error('Too many renders in flight');
    const { result } = renderHook(() => useJobs(api));
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    await act(async () => {
      await expect(
        result.current.createJob({ compositionId: 'title-card', inputProps: {}, title: 'x' }),
      ).rejects.toThrow('Too many renders in flight');
    });
    expect(result.current.jobs).toEqual([]);
  });

  it('shows reconnecting and lists again when the connection comes back', async () => {
    const api = new FakeJobsApi();
    const { result } = renderHook(() => useJobs(api));
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    const listsBefore = api.listCalls;
    act(() => api.setConnection('reconnecting'));
    expect(result.current.connection).toBe('reconnecting');

    const missed = makeJob({ status: 'SUCCEEDED', title: 'finished while offline' });
    api.jobs.push(missed);
    act(() => api.setConnection('connected'));
    await waitFor(() =>
      expect(result.current.jobs.map((job) => job.title)).toContain('finished while offline'),
    );
    expect(result.current.connection).toBe('connected');
    expect(api.listCalls).toBe(listsBefore + 1);
  });

  it('subscribes again after the subscription itself fails', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const api = new FakeJobsApi();
    const { result } = renderHook(() => useJobs(api));
    await waitFor(() => expect(result.current.phase).toBe('ready'));
    act(() => api.failSubscription());
    expect(result.current.connection).toBe('reconnecting');
    expect(api.subscribers.size).toBe(0);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(2_500);
    });
    expect(api.subscribers.size).toBe(1);
    await waitFor(() => expect(result.current.connection).toBe('connected'));
  });

  it('pages with the next token and reports a failed first load', async () => {
    const api = new FakeJobsApi();
    for (let i = 0; i < 3; i++) api.jobs.push(makeJob({ title: `job ${i}` }));
    const { result } = renderHook(() => useJobs(api, { pageSize: 2 }));
    await waitFor(() => expect(result.current.jobs).toHaveLength(2));
    expect(result.current.hasMore).toBe(true);
    await act(async () => await result.current.loadMore());
    expect(result.current.jobs.map((job) => job.title)).toEqual(['job 2', 'job 1', 'job 0']);
    expect(result.current.hasMore).toBe(false);

    const failing = new FakeJobsApi();
    failing.listError = new Error('Network error');
    const { result: failed } = renderHook(() => useJobs(failing));
    await waitFor(() => expect(failed.current.phase).toBe('error'));
    expect(failed.current.error).toBe('Could not load your jobs: Network error');
  });
});
