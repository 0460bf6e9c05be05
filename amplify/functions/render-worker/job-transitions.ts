import { statusOf } from './job-status';
import type { JobExpectation, JobPatch, JobRecord, JobStore, RenderProgress } from './ports';

type DoneProgress = Extract<RenderProgress, { state: 'done' }>;

/**
 * One arrow of docs/architecture.md ("Job lifecycle"): the state the job must still be in, and what is written.
 * The store applies it as one conditional write, so a delivery that lost a race writes nothing and reads again.
 */
export interface Transition {
  expected: JobExpectation;
  patch: JobPatch;
}

/** Writes `transition` if the job is still in its expected state; resolves whether it was written. */
export const applyTransition = (
  store: Pick<JobStore, 'update'>,
  jobId: string,
  transition: Transition,
): Promise<boolean> => store.update(jobId, transition.expected, transition.patch);

const queued: JobExpectation = { status: 'QUEUED', renderId: null };
/** This delivery's claim: starting, claimed at `startedAt`. */
const claimedAt = (startedAt: string | null): JobExpectation => ({
  status: 'RENDERING',
  renderId: null,
  startedAt,
});
const renderingWith = (renderId: string): JobExpectation => ({ status: 'RENDERING', renderId });
/** Whatever non-terminal state the job was read in. */
const asRead = (job: JobRecord): JobExpectation => ({
  status: statusOf(job),
  renderId: job.renderId ?? null,
});
const withCost = (costUsd: number | undefined): JobPatch =>
  costUsd === undefined ? {} : { costUsd };

/** queued → starting: this delivery claims the job (counts under the render cap from here on). */
export const claimJob = (startedAt: string, attempts: number): Transition => ({
  expected: queued,
  patch: { status: 'RENDERING', startedAt, attempts, progress: 0, errorMessage: null },
});

/** starting → queued: the claim is given back (the cap filled meanwhile, or the start failed). */
export const releaseClaim = (startedAt: string): Transition => ({
  expected: claimedAt(startedAt),
  patch: { status: 'QUEUED', startedAt: null },
});

/** starting → rendering: the render started and its id is stored under this delivery's claim. */
export const recordRenderId = (startedAt: string, renderId: string): Transition => ({
  expected: claimedAt(startedAt),
  patch: { renderId },
});

/** queued → queued: the job waits under the render cap, and says so for the reconciler. */
export const noteStillQueued = (checkedAt: string): Transition => ({
  expected: queued,
  patch: { queueCheckedAt: checkedAt },
});

/** rendering → rendering: progress, frames, ETA and cost so far. */
export const pushProgress = (
  renderId: string,
  progress: Pick<
    JobPatch,
    'progress' | 'renderedFrames' | 'totalFrames' | 'etaSeconds' | 'costUsd'
  >,
): Transition => ({
  // Refused once a cancel is asked for, so the tracker learns of it from the push it makes anyway.
  expected: { ...renderingWith(renderId), cancelNotRequested: true },
  patch: progress,
});

/** rendering → SUCCEEDED, with the output. */
export const succeedJob = (
  renderId: string,
  done: DoneProgress,
  finishedAt: string,
  expiresAt?: string,
): Transition => ({
  expected: renderingWith(renderId),
  patch: {
    status: 'SUCCEEDED',
    progress: 1,
    renderedFrames: done.renderedFrames,
    totalFrames: done.totalFrames,
    etaSeconds: 0,
    costUsd: done.costUsd,
    outputBucket: done.output.bucket,
    outputKey: done.output.key,
    outputSizeBytes: done.output.sizeBytes,
    finishedAt,
    ...(done.output.posterKey ? { posterKey: done.output.posterKey } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  },
});

/** rendering → queued: the render failed for a temporary reason; the job renders anew after a backoff. */
export const requeueJob = (renderId: string): Transition => ({
  expected: renderingWith(renderId),
  patch: {
    status: 'QUEUED',
    renderId: null,
    startedAt: null,
    progress: null,
    renderedFrames: null,
    totalFrames: null,
    etaSeconds: null,
  },
});

/** any non-terminal phase → FAILED, from the state the job was read in. */
export const failJob = (
  job: JobRecord,
  errorMessage: string,
  finishedAt: string,
  costUsd?: number,
): Transition => ({
  expected: asRead(job),
  patch: { status: 'FAILED', errorMessage, finishedAt, etaSeconds: null, ...withCost(costUsd) },
});

/** queued or rendering → CANCELLED, from the state the job was read in. */
export const cancelJob = (job: JobRecord, finishedAt: string, costUsd?: number): Transition => ({
  expected: asRead(job),
  patch: { status: 'CANCELLED', finishedAt, etaSeconds: null, ...withCost(costUsd) },
});

/** starting (claim lease over) → CANCELLED: a cancel of a start whose worker died. */
export const cancelAbandonedStart = (job: JobRecord, finishedAt: string): Transition => ({
  expected: claimedAt(job.startedAt ?? null),
  patch: { status: 'CANCELLED', finishedAt, etaSeconds: null },
});

/** starting (claim lease over) → FAILED: its worker died mid-start, so the render cannot be tracked. */
export const failAbandonedStart = (
  job: JobRecord,
  errorMessage: string,
  finishedAt: string,
): Transition => ({
  expected: claimedAt(job.startedAt ?? null),
  patch: { status: 'FAILED', errorMessage, finishedAt, etaSeconds: null },
});
