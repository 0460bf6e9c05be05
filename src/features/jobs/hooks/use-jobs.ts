import { useCallback, useEffect, useReducer, useRef } from 'react';
import {
  readInputProps,
  readJobMetadata,
  type ConnectionHealth,
  type CreateJobInput,
  type Job,
  type JobsApi,
  type JobsPage,
} from '../api/jobs-api';
import { parseBatchJobId } from '../../../../contract/batch-contract';

/** What {@link useJobs} knows about the owner's jobs. */
export interface JobsState {
  /** Newest first; jobs still being created carry ids from {@link isPendingJobId}. */
  jobs: Job[];
  phase: 'loading' | 'ready' | 'error';
  /** Why the list could not be loaded, or why the last action failed. */
  error: string | null;
  nextToken: string | null;
  loadingMore: boolean;
  connection: ConnectionHealth;
  /** Jobs deleted here: a late subscription event or list page never brings them back. */
  removedIds: ReadonlySet<string>;
}

type Action =
  | { type: 'listed'; page: JobsPage; append: boolean }
  | { type: 'list-failed'; message: string }
  | { type: 'loading-more' }
  | { type: 'upsert'; job: Job }
  | { type: 'replace'; removeId: string; job?: Job }
  | { type: 'removed'; jobId: string }
  | { type: 'failed'; message: string }
  | { type: 'connection'; health: ConnectionHealth };

const PENDING_PREFIX = 'pending:';

/** True for the id of a job shown optimistically, before the backend confirmed it. */
export const isPendingJobId = (id: string) => id.startsWith(PENDING_PREFIX);

const timeOf = (value: string | null | undefined) => (value ? Date.parse(value) : 0);

/** Newer wins: a late list result must not undo an update that arrived by subscription. */
function mergeJob(current: Job | undefined, incoming: Job): Job {
  if (current && timeOf(current.updatedAt) > timeOf(incoming.updatedAt)) return current;
  return { ...current, ...incoming };
}

function upsertAll(jobs: Job[], incoming: Job[], removedIds: ReadonlySet<string>): Job[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  for (const job of incoming)
    // A batch's rows show on its batch card, not one by one among the single renders.
    if (parseBatchJobId(job.id) === undefined && !removedIds.has(job.id))
      byId.set(job.id, mergeJob(byId.get(job.id), job));
  return [...byId.values()].sort((a, b) => timeOf(b.createdAt) - timeOf(a.createdAt));
}

function reduce(state: JobsState, action: Action): JobsState {
  switch (action.type) {
    case 'listed':
      return {
        ...state,
        jobs: upsertAll(state.jobs, action.page.jobs, state.removedIds),
        phase: 'ready',
        error: null,
        loadingMore: false,
        // A refresh of the first page keeps the cursor already reached.
        nextToken:
          action.append || state.phase !== 'ready' ? action.page.nextToken : state.nextToken,
      };
    case 'list-failed':
      return {
        ...state,
        phase: state.phase === 'ready' ? 'ready' : 'error',
        error: action.message,
        loadingMore: false,
      };
    case 'loading-more':
      return { ...state, loadingMore: true };
    case 'upsert':
      return { ...state, jobs: upsertAll(state.jobs, [action.job], state.removedIds) };
    case 'replace':
      return {
        ...state,
        jobs: upsertAll(
          state.jobs.filter((job) => job.id !== action.removeId),
          action.job ? [action.job] : [],
          state.removedIds,
        ),
      };
    case 'removed':
      return {
        ...state,
        jobs: state.jobs.filter((job) => job.id !== action.jobId),
        removedIds: new Set([...state.removedIds, action.jobId]),
      };
    case 'failed':
      return { ...state, error: action.message };
    case 'connection':
      return { ...state, connection: action.health };
  }
}

const initialState: JobsState = {
  jobs: [],
  phase: 'loading',
  error: null,
  nextToken: null,
  loadingMore: false,
  connection: 'connected',
  removedIds: new Set(),
};

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Delay before subscribing again after the subscription itself failed. */
const RESUBSCRIBE_MS = 2_000;

/**
 * The owner's jobs, newest first, kept current by one onCreate/onUpdate subscription that lives as long as the
 * component. A dropped connection shows as `reconnecting`; when it returns, the first page is listed again so
 * nothing missed while offline stays stale.
 */
export function useJobs(api: JobsApi, { pageSize = 10 }: { pageSize?: number } = {}) {
  const [state, dispatch] = useReducer(reduce, initialState);
  const stateRef = useRef(state);
  stateRef.current = state;

  const listFirstPage = useCallback(async () => {
    try {
      dispatch({ type: 'listed', page: await api.listJobs({ limit: pageSize }), append: false });
    } catch (error) {
      dispatch({ type: 'list-failed', message: `Could not load your jobs: ${messageOf(error)}` });
    }
  }, [api, pageSize]);

  useEffect(() => {
    let active = true;
    let unsubscribe = () => {};
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const subscribe = () => {
      unsubscribe = api.subscribe({
        onJob: (job) => active && dispatch({ type: 'upsert', job }),
        onError: () => {
          if (!active) return;
          dispatch({ type: 'connection', health: 'reconnecting' });
          unsubscribe();
          retryTimer = setTimeout(() => {
            if (!active) return;
            subscribe();
            void listFirstPage().then(
              () => active && dispatch({ type: 'connection', health: 'connected' }),
            );
          }, RESUBSCRIBE_MS);
        },
      });
    };
    subscribe();
    const unwatch = api.watchConnection((health) => {
      if (!active) return;
      dispatch({ type: 'connection', health });
      if (health === 'connected') void listFirstPage();
    });
    void listFirstPage();
    return () => {
      active = false;
      clearTimeout(retryTimer);
      unsubscribe();
      unwatch();
    };
  }, [api, listFirstPage]);

  const loadMore = useCallback(async () => {
    const { nextToken, loadingMore } = stateRef.current;
    if (!nextToken || loadingMore) return;
    dispatch({ type: 'loading-more' });
    try {
      dispatch({
        type: 'listed',
        page: await api.listJobs({ limit: pageSize, nextToken }),
        append: true,
      });
    } catch (error) {
      dispatch({ type: 'list-failed', message: `Could not load more jobs: ${messageOf(error)}` });
    }
  }, [api, pageSize]);

  /** Shows the job as QUEUED at once, then swaps in the created record; rejects (and removes it) on failure. */
  const createJob = useCallback(
    async (input: CreateJobInput): Promise<Job> => {
      const now = new Date().toISOString();
      const pendingId = `${PENDING_PREFIX}${crypto.randomUUID()}`;
      const pending = {
        id: pendingId,
        compositionId: input.compositionId,
        inputProps: JSON.stringify(input.inputProps),
        title: input.title,
        outputFormat: input.outputFormat ?? null,
        scale: input.scale ?? null,
        status: 'QUEUED',
        createdAt: now,
        updatedAt: now,
      } as Job;
      dispatch({ type: 'upsert', job: pending });
      try {
        const job = await api.createJob(input);
        dispatch({ type: 'replace', removeId: pendingId, job });
        return job;
      } catch (error) {
        dispatch({ type: 'replace', removeId: pendingId });
        throw error;
      }
    },
    [api],
  );

  const cancelJob = useCallback(
    async (jobId: string) => {
      try {
        dispatch({ type: 'upsert', job: await api.requestCancel(jobId) });
      } catch (error) {
        dispatch({ type: 'failed', message: `Could not cancel the job: ${messageOf(error)}` });
      }
    },
    [api],
  );

  /** Deletes the job (cancelling it first); true once it is gone, false (with the reason in `error`) if not. */
  const removeJob = useCallback(
    async (jobId: string): Promise<boolean> => {
      try {
        await api.removeJob(jobId);
        dispatch({ type: 'removed', jobId });
        return true;
      } catch (error) {
        dispatch({ type: 'failed', message: `Could not delete the job: ${messageOf(error)}` });
        return false;
      }
    },
    [api],
  );

  /** A new job with the same composition, props, format, scale and metadata. */
  const renderAgain = useCallback(
    async (job: Job) => {
      try {
        const metadata = readJobMetadata(job);
        await createJob({
          compositionId: job.compositionId,
          inputProps: readInputProps(job),
          title: job.title ?? job.compositionId,
          ...(job.outputFormat ? { outputFormat: job.outputFormat } : {}),
          ...(typeof job.scale === 'number' ? { scale: job.scale } : {}),
          ...(metadata ? { metadata } : {}),
        });
      } catch (error) {
        dispatch({
          type: 'failed',
          message: `Could not start the render again: ${messageOf(error)}`,
        });
      }
    },
    [createJob],
  );

  return {
    ...state,
    hasMore: state.nextToken !== null,
    loadMore,
    createJob,
    cancelJob,
    removeJob,
    renderAgain,
    retry: listFirstPage,
  };
}

/** Everything {@link useJobs} returns. */
export type JobsController = ReturnType<typeof useJobs>;
