import { DEFAULT_RETENTION_DAYS } from '../../../contract/output-retention';
import { classifyFailure, computeBackoffSeconds, HandBackError } from './failure-classes';
import { NO_JOB_METRICS, observeJobs, type LogFunction } from './job-telemetry';
import type { Clock, JobMetrics, JobQueue, JobRecord, JobStore, Renderer } from './ports';
import {
  createRenderSlots,
  handOffFreedSlots,
  type HandOff,
  releasingSlotsOnEnd,
  type RenderSlots,
} from './render-slots';
import { settlingSpendOnEnd, type SpendGuard } from './spend-guard';

/** The catalog's props check (`parseInputProps` in `remotion/catalog.ts`), injected so the core stays plain. */
export type ParseInputProps = (
  compositionId: string,
  input: unknown,
) =>
  { ok: true; props: Record<string, unknown> } | { ok: false; message: string; issues?: unknown };

/** Tuning of the lifecycle; the defaults are the cloud's. */
export interface WorkerSettings {
  /** Renders allowed in flight at once (the queue's MaximumConcurrency). */
  renderCap: number;
  maxActiveJobsPerUser: number;
  /** The source queue's maxReceiveCount, quoted when the DLQ gives up. */
  maxReceiveCount: number;
  pollIntervalMs: number;
  /** Push progress when it moved this much (0–1) … */
  pushMinProgressDelta: number;
  /** … or this long passed since the last push. */
  pushMaxIntervalMs: number;
  /** Stop tracking this long before the delivery's deadline and continue in a fresh delivery. */
  stopBeforeDeadlineMs: number;
  /**
   * A claim without a render id older than this is abandoned (its worker died mid-start). Must
   * exceed the longest possible render (the Remotion function's timeout), so an orphan is over.
   */
  claimLeaseMs: number;
  /** Delay before looking again when the render cap is reached. */
  capWaitSeconds: number;
  /**
   * Delay before a batch row in retry backoff whose owner holds every render slot looks again (× 0.5–1.5); a row that
   * never tried to start keeps no message at all and waits in the table for a hand-off. At most 1.5 × this plus
   * `queueCheckIntervalMs` must stay under the reconciler's `queuedUnseenMs`.
   */
  ownerWaitSeconds: number;
  /** Delay before looking again at a job another delivery is just starting. */
  claimWaitSeconds: number;
  /**
   * While a job waits under the render cap, stamp `queueCheckedAt` at most this often: the reconciler re-enqueues a
   * QUEUED job unstamped for twice this (`DEFAULT_RECONCILE_SETTINGS` in reconcile-jobs.ts).
   */
  queueCheckIntervalMs: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
  /** Days a finished job's outputs are kept; its `expiresAt` says when they go (docs/architecture.md, "Outputs"). */
  retentionDays: number;
}

/**
 * The progress poll when Remotion's webhook reports each render's end: the job no longer waits for a poll to end, so
 * polling only feeds the progress bar. Each poll costs an invocation of the 2 GB Remotion function, an AppSync
 * mutation, a real-time message and three index writes; every 4 s keeps a minute-long video's overhead under 1 %
 * of its render (BENCHMARKS.md, cloud cost) while the bar still moves several times in a ten-second render.
 */
export const POLL_INTERVAL_WITH_WEBHOOK_MS = 4000;

/** Defaults for everything but the cap and the per-user limit. */
export const DEFAULT_WORKER_SETTINGS: Omit<WorkerSettings, 'renderCap'> = {
  maxActiveJobsPerUser: 3,
  maxReceiveCount: 3,
  pollIntervalMs: 1000,
  pushMinProgressDelta: 0.01,
  pushMaxIntervalMs: 2000,
  stopBeforeDeadlineMs: 60_000,
  claimLeaseMs: 16 * 60_000,
  capWaitSeconds: 10,
  ownerWaitSeconds: 180,
  claimWaitSeconds: 5,
  queueCheckIntervalMs: 5 * 60_000,
  backoffBaseSeconds: 2,
  backoffMaxSeconds: 300,
  retentionDays: DEFAULT_RETENTION_DAYS,
};

/** One receipt of a `{ jobId }` message. */
export interface Delivery {
  jobId: string;
  /** How many times this message has been received (SQS ApproximateReceiveCount), ≥ 1. */
  receiveCount: number;
  /** Absolute time (clock ms) by which this delivery must be over. */
  deadlineMs: number;
  /**
   * Set on a wake-up sent when Remotion reported this render over (docs/architecture.md, "Completion from Remotion's
   * webhook"): look at that render's progress once, and leave anything else to the job's own messages.
   */
  wakeFor?: string;
  /**
   * Set on a batch row woken for a freed slot (docs/architecture.md, "Batches", the hand-off): how many times this
   * wake-up was passed on. A woken row that another delivery already started or ended passes it to another waiting row.
   */
  rowWake?: number;
}

/** What to do with the message once a delivery is handled. */
export type DeliveryOutcome =
  /** Delete the message: the job is terminal or needs nothing more from this message. */
  | { action: 'ack'; reason: string }
  /** Hand the message back after a backoff (counts a receive, so repeated failures reach the DLQ). */
  | { action: 'retry'; delaySeconds: number; reason: string }
  /** Delete this message and enqueue a fresh one (waiting is not failing: no receive counted). */
  | { action: 'continue'; delaySeconds: number; reason: string };

/** Collaborators of the worker. */
export interface RenderWorkerDeps {
  store: JobStore;
  renderer: Renderer;
  clock: Clock;
  queue: JobQueue;
  parseInputProps: ParseInputProps;
  config: Partial<WorkerSettings> & Pick<WorkerSettings, 'renderCap'>;
  /** Jitter source, 0 ≤ x < 1. */
  random?: () => number;
  log?: LogFunction;
  /** Render starts, cap waits and job ends, for dashboards and alarms; a no-op when omitted. */
  metrics?: JobMetrics;
  /** Budgets and the per-user daily quota (docs/architecture.md, "Spend guard"); none when omitted. */
  spendGuard?: SpendGuard;
}

/** A step lost a conditional write: someone else moved the job, so read it again and decide anew. */
export const RELOAD = Symbol('reload');
/** What one step over a job read answers: an outcome for the message, or read the job again. */
export type StepResult = DeliveryOutcome | typeof RELOAD;

/** What every step of the lifecycle works with: the ports, as observed, and the settings. */
export interface WorkerContext {
  settings: WorkerSettings;
  /** The store as observed: a job end is counted and releases the job's render slot, whichever step wrote it. */
  store: JobStore;
  renderer: Renderer;
  clock: Clock;
  queue: JobQueue;
  parseInputProps: ParseInputProps;
  /** Wakes the owner's waiting rows when a slot is freed outside a terminal write (see `acknowledgeEnded`). */
  handOff: HandOff;
  random: () => number;
  metrics: JobMetrics;
  /** Logs lines that name a job with its render and owner. */
  log: LogFunction;
  slots: RenderSlots;
  spendGuard?: SpendGuard;
  /**
   * This worker's latest count of renders under the cap (see `lookAtRenderCap` in admission.ts): a start that saw
   * plenty of room a moment ago claims without looking first; the look after the claim still decides.
   */
  lastCapLook: { atMs: number; rendering: number } | null;
}

/** Builds the shared context of one worker from its collaborators. */
export const createWorkerContext = (deps: RenderWorkerDeps): WorkerContext => {
  const settings: WorkerSettings = { ...DEFAULT_WORKER_SETTINGS, ...deps.config };
  const metrics = deps.metrics ?? NO_JOB_METRICS;
  // Every job end is counted, and every log line names the job's render and owner, whichever step wrote it.
  const observed = observeJobs(deps.store, { metrics, log: deps.log, clock: deps.clock });
  const slots = createRenderSlots(deps.store, settings.maxActiveJobsPerUser, deps.clock.now);
  const handOff = handOffFreedSlots(deps.store, deps.queue, deps.random ?? Math.random);
  return {
    settings,
    // Every write that ends a job releases its render slot, whichever transition made it.
    store: settlingSpendOnEnd(
      releasingSlotsOnEnd(observed.store, slots, observed.log, handOff),
      deps.spendGuard,
      observed.log,
    ),
    renderer: deps.renderer,
    clock: deps.clock,
    queue: deps.queue,
    parseInputProps: deps.parseInputProps,
    handOff,
    random: deps.random ?? Math.random,
    metrics,
    log: observed.log,
    slots,
    ...(deps.spendGuard ? { spendGuard: deps.spendGuard } : {}),
    lastCapLook: null,
  };
};

/** The clock's time as an ISO string, as the Job stores it. */
export const nowIso = (context: Pick<WorkerContext, 'clock'>): string =>
  new Date(context.clock.now()).toISOString();

/** Delete the message. */
export const ack = (reason: string): DeliveryOutcome => ({ action: 'ack', reason });

/** Look again in a fresh message after `seconds`. */
export const later = (seconds: number, reason: string): DeliveryOutcome => ({
  action: 'continue',
  delaySeconds: Math.max(0, Math.round(seconds)),
  reason,
});

/** The message's backoff before its next receive. */
export const backoffSeconds = (context: WorkerContext, receiveCount: number): number =>
  computeBackoffSeconds(receiveCount, context.random, {
    baseSeconds: context.settings.backoffBaseSeconds,
    maxSeconds: context.settings.backoffMaxSeconds,
  });

/** True while a start claim is younger than the claim lease: its delivery may still be starting the render. */
export const claimIsFresh = (context: WorkerContext, job: JobRecord): boolean =>
  job.startedAt != null &&
  context.clock.now() - Date.parse(job.startedAt) < context.settings.claimLeaseMs;

/**
 * Retries `action` in place on temporary errors until `deadlineMs`. After a render has started, losing track of it
 * would leak a render or start a second one, and each hand-back spends one of the message's few receives.
 */
export const insist = async <T>(
  context: WorkerContext,
  action: () => Promise<T>,
  deadlineMs: number,
): Promise<T> => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await action();
    } catch (error) {
      const waitMs =
        computeBackoffSeconds(attempt, context.random, { baseSeconds: 1, maxSeconds: 8 }) * 1000;
      if (
        error instanceof HandBackError ||
        !classifyFailure(error).retryable ||
        attempt >= 8 ||
        context.clock.now() + waitMs >= deadlineMs
      )
        throw error;
      await context.clock.sleep(waitMs);
    }
  }
};
