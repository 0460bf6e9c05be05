import { ownerSubOf } from '../../../contract/job-contract';
import { isTerminal } from './job-status';
import type { Clock, JobMetrics, JobOutcome, JobStore } from './ports';

/** The lifecycle's log function: a message and the fields that go with it. */
export type LogFunction = (message: string, details?: Record<string, unknown>) => void;

/** Metrics that go nowhere: the default, and local mode's. */
export const NO_JOB_METRICS: JobMetrics = {
  renderStarted: () => undefined,
  renderCapReached: () => undefined,
  jobFinished: () => undefined,
};

/** What is known of a job from the reads and writes seen so far. */
interface KnownJob {
  ownerSub?: string;
  renderId?: string;
  startedAt?: string;
}

// Jobs remembered from reads and writes; cleared when full, which only drops a few log fields.
const MAX_REMEMBERED_JOBS = 10_000;

/**
 * Watches the store the lifecycle writes through: every write that ends a job (SUCCEEDED, FAILED, CANCELLED) is
 * reported to `metrics`, whichever transition made it, and every log line that names a `jobId` also carries the
 * job's `renderId` and `ownerSub` once a read or write has shown them. Nothing here calls the store more than the
 * lifecycle does.
 */
export const observeJobs = (
  store: JobStore,
  {
    metrics = NO_JOB_METRICS,
    log = () => undefined,
    clock,
  }: { metrics?: JobMetrics; log?: LogFunction; clock: Pick<Clock, 'now'> },
): { store: JobStore; log: LogFunction } => {
  const known = new Map<string, KnownJob>();
  // `undefined` keeps what is known, `null` forgets it (a re-queued job has no render or start any more).
  const remember = (jobId: string, facts: { [Key in keyof KnownJob]?: string | null }) => {
    if (!known.has(jobId) && known.size >= MAX_REMEMBERED_JOBS) known.clear();
    const job = { ...known.get(jobId) };
    for (const key of Object.keys(facts) as (keyof KnownJob)[]) {
      const value = facts[key];
      if (value === null) delete job[key];
      else if (value !== undefined) job[key] = value;
    }
    known.set(jobId, job);
  };

  const observedLog: LogFunction = (message, details) => {
    const jobId = details?.jobId;
    const job = typeof jobId === 'string' ? known.get(jobId) : undefined;
    if (!job) return log(message, details);
    const context: Record<string, unknown> = {};
    if (job.renderId !== undefined) context.renderId = job.renderId;
    if (job.ownerSub !== undefined) context.ownerSub = job.ownerSub;
    // A field the caller passed wins: it may name another render of the same job.
    log(message, { ...context, ...details });
  };

  const observedStore: JobStore = {
    // Everything but the reads and writes observed below passes straight through.
    ...store,
    async get(jobId) {
      const job = await store.get(jobId);
      if (job)
        remember(job.id, {
          ownerSub: ownerSubOf(job.owner),
          renderId: job.renderId ?? null,
          startedAt: job.startedAt ?? null,
        });
      return job;
    },
    async update(jobId, expected, patch) {
      const written = await store.update(jobId, expected, patch);
      if (!written) return written;
      remember(jobId, {
        renderId: patch.renderId === undefined ? expected.renderId : patch.renderId,
        startedAt: patch.startedAt,
      });
      if (patch.status && isTerminal(patch.status)) {
        const startedAt = known.get(jobId)?.startedAt;
        const endedAt = patch.finishedAt ? Date.parse(patch.finishedAt) : clock.now();
        const renderSeconds =
          startedAt === undefined ? undefined : (endedAt - Date.parse(startedAt)) / 1000;
        metrics.jobFinished({
          jobId,
          outcome: patch.status as JobOutcome,
          ...(renderSeconds === undefined || Number.isNaN(renderSeconds) ? {} : { renderSeconds }),
          ...(patch.costUsd == null ? {} : { costUsd: patch.costUsd }),
        });
      }
      return written;
    },
  };
  return { store: observedStore, log: observedLog };
};
