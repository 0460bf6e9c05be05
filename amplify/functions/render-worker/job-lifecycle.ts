import {
  classifyFailure,
  computeBackoffSeconds,
  describeError,
  HandBackError,
} from './failure-classes';
import { isTerminal, statusOf } from './job-status';
import type {
  ActiveJob,
  Clock,
  JobExpectation,
  JobMetrics,
  JobQueue,
  JobRecord,
  JobStore,
  RenderProgress,
  Renderer,
} from './ports';
import { NO_JOB_METRICS, observeJobs } from './job-telemetry';
import { createRenderSlots, releasingSlotsOnEnd } from './render-slots';

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
  /** Delay before looking again at a job another delivery is just starting. */
  claimWaitSeconds: number;
  /**
   * While a job waits under the render cap, stamp `queueCheckedAt` at most this often: the reconciler re-enqueues a
   * QUEUED job unstamped for twice this (`DEFAULT_RECONCILE_SETTINGS` in reconcile-jobs.ts).
   */
  queueCheckIntervalMs: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
}

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
  claimWaitSeconds: 5,
  queueCheckIntervalMs: 5 * 60_000,
  backoffBaseSeconds: 2,
  backoffMaxSeconds: 300,
};

/** One receipt of a `{ jobId }` message. */
export interface Delivery {
  jobId: string;
  /** How many times this message has been received (SQS ApproximateReceiveCount), ≥ 1. */
  receiveCount: number;
  /** Absolute time (clock ms) by which this delivery must be over. */
  deadlineMs: number;
}

/** What to do with the message once a delivery is handled. */
export type DeliveryOutcome =
  /** Delete the message: the job is terminal or needs nothing more from this message. */
  | { action: 'ack'; reason: string }
  /** Hand the message back after a backoff (counts a receive, so repeated failures reach the DLQ). */
  | { action: 'retry'; delaySeconds: number; reason: string }
  /** Delete this message and enqueue a fresh one (waiting is not failing: no receive counted). */
  | { action: 'continue'; delaySeconds: number; reason: string };

/** The job lifecycle of docs/architecture.md ("Job lifecycle"), over its ports. */
export interface RenderWorker {
  /** Handles one delivery of a job message from the render queue. */
  processDelivery(delivery: Delivery): Promise<DeliveryOutcome>;
  /** Handles a message that reached the DLQ: the job ends FAILED unless already terminal. */
  giveUp(delivery: Delivery): Promise<DeliveryOutcome>;
  /** Handles a delivery and applies its outcome through the queue; resolves whether to delete the message. */
  handleMessage(
    delivery: Delivery & { receiptHandle: string; deadLetter?: boolean },
  ): Promise<'delete' | 'keep'>;
}

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
  log?: (message: string, details?: Record<string, unknown>) => void;
  /** Render starts, cap waits and job ends, for dashboards and alarms; a no-op when omitted. */
  metrics?: JobMetrics;
}

/** The status helpers, where callers of the lifecycle have always found them. */
export { isTerminal, statusOf };

/** Cuts an id a client sent to 40 characters, so a message quoting it stays readable. */
const shorten = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** The user-facing message of the per-user limit. */
export const tooManyActiveJobsMessage = (active: number, limit: number): string =>
  `You already have ${active} render${active === 1 ? '' : 's'} queued or rendering; the limit is ${limit}. ` +
  'Wait for one to finish or cancel one, then render again.';

/** Why a job whose start was interrupted ends FAILED. */
export const ABANDONED_START_MESSAGE =
  'The render worker stopped while starting this render, so it cannot be tracked. Render again.';

const RELOAD = Symbol('reload');
type StepResult = DeliveryOutcome | typeof RELOAD;

/** Builds the render worker over its ports; the same core runs in Lambda, in local mode and in tests. */
export const createRenderWorker = (deps: RenderWorkerDeps): RenderWorker => {
  const { renderer, clock, queue, parseInputProps } = deps;
  const settings: WorkerSettings = { ...DEFAULT_WORKER_SETTINGS, ...deps.config };
  const random = deps.random ?? Math.random;
  const metrics = deps.metrics ?? NO_JOB_METRICS;
  // Every job end is counted, and every log line names the job's render and owner, whichever step wrote it.
  const observed = observeJobs(deps.store, { metrics, log: deps.log, clock });
  const log = observed.log;
  const slots = createRenderSlots(deps.store, settings.maxActiveJobsPerUser);
  // Every write that ends a job releases its render slot, whichever transition made it.
  const store = releasingSlotsOnEnd(observed.store, slots, log);
  const iso = () => new Date(clock.now()).toISOString();
  const ack = (reason: string): DeliveryOutcome => ({ action: 'ack', reason });
  const later = (seconds: number, reason: string): DeliveryOutcome => ({
    action: 'continue',
    delaySeconds: Math.max(0, Math.round(seconds)),
    reason,
  });
  const jittered = (seconds: number) => seconds * (0.5 + random());

  // After a render has started, losing track of it would leak a render or start a second one:
  // the few writes that record it are retried in place before the failure is handed to the queue.
  const insist = async <T>(action: () => Promise<T>, deadlineMs: number): Promise<T> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await action();
      } catch (error) {
        const waitMs =
          computeBackoffSeconds(attempt, random, { baseSeconds: 1, maxSeconds: 8 }) * 1000;
        if (
          error instanceof HandBackError ||
          !classifyFailure(error).retryable ||
          attempt >= 8 ||
          clock.now() + waitMs >= deadlineMs
        )
          throw error;
        await clock.sleep(waitMs);
      }
    }
  };

  const claimIsFresh = (job: JobRecord) =>
    job.startedAt != null && clock.now() - Date.parse(job.startedAt) < settings.claimLeaseMs;

  const failJob = async (
    job: JobRecord,
    message: string,
    costUsd?: number,
  ): Promise<StepResult> => {
    const written = await store.update(
      job.id,
      { status: statusOf(job), renderId: job.renderId ?? null },
      {
        status: 'FAILED',
        errorMessage: message,
        finishedAt: iso(),
        etaSeconds: null,
        ...(costUsd === undefined ? {} : { costUsd }),
      },
    );
    return written ? ack(`failed: ${message}`) : RELOAD;
  };

  const readProgressSafely = async (renderId: string): Promise<RenderProgress | undefined> => {
    try {
      return await renderer.getProgress(renderId);
    } catch (error) {
      log('progress read failed', { renderId, error: describeError(error) });
      return undefined;
    }
  };

  const cancelJob = async (job: JobRecord): Promise<StepResult> => {
    const status = statusOf(job);
    if (status === 'RENDERING' && !job.renderId) {
      // Another delivery is starting this render: let it store the render id, then cancel that render.
      if (claimIsFresh(job))
        return later(settings.claimWaitSeconds, 'cancel waits for a render start');
      const written = await store.update(
        job.id,
        { status, renderId: null, startedAt: job.startedAt ?? null },
        { status: 'CANCELLED', finishedAt: iso(), etaSeconds: null },
      );
      return written ? ack('cancelled (abandoned start)') : RELOAD;
    }
    let costUsd = job.costUsd ?? undefined;
    if (status === 'RENDERING' && job.renderId) {
      const progress = await renderer.getProgress(job.renderId);
      if (progress.state === 'running') await renderer.cancel(job.renderId);
      costUsd = progress.costUsd;
    }
    const written = await store.update(
      job.id,
      { status, renderId: job.renderId ?? null },
      {
        status: 'CANCELLED',
        finishedAt: iso(),
        etaSeconds: null,
        ...(costUsd === undefined ? {} : { costUsd }),
      },
    );
    return written ? ack('cancelled') : RELOAD;
  };

  // Nothing else is written while a job waits under the render cap: this stamp tells the reconciler its
  // message lives. At most once per interval, and a failed stamp only costs a needless re-enqueue.
  const noteStillQueued = async (job: JobRecord): Promise<void> => {
    const last = Date.parse(job.queueCheckedAt ?? job.createdAt ?? '');
    if (clock.now() - last < settings.queueCheckIntervalMs) return;
    await store
      .update(job.id, { status: 'QUEUED', renderId: null }, { queueCheckedAt: iso() })
      .catch((error: unknown) =>
        log('queue check stamp failed', { jobId: job.id, error: describeError(error) }),
      );
  };

  const countOtherRenders = (active: ActiveJob[], jobId: string) =>
    active.filter((other) => other.status === 'RENDERING' && other.id !== jobId).length;

  const startRender = async (job: JobRecord, delivery: Delivery): Promise<StepResult> => {
    const parsed = parseInputProps(job.compositionId, job.inputProps);
    if (!parsed.ok) {
      return failJob(
        job,
        `The props for composition "${shorten(job.compositionId)}" are invalid: ${parsed.message}`,
      );
    }
    // The per-user limit: a slot taken by a conditional create, so racing starts cannot exceed it.
    if (!(await slots.admit(job)).admitted) {
      const limit = settings.maxActiveJobsPerUser;
      return failJob(job, tooManyActiveJobsMessage(limit, limit));
    }
    // Admission under the render cap: look, claim, look again. Whoever looks last sees every claim
    // written before, so concurrent claimers can never together exceed the cap.
    const rendering = countOtherRenders(await store.listRenderingJobs(), job.id);
    if (rendering >= settings.renderCap) {
      metrics.renderCapReached({ jobId: job.id, rendersInFlight: rendering });
      await noteStillQueued(job);
      return later(jittered(settings.capWaitSeconds), 'render cap reached');
    }
    const startedAt = iso();
    const claim = await store.update(
      job.id,
      { status: 'QUEUED', renderId: null },
      {
        status: 'RENDERING',
        startedAt,
        attempts: delivery.receiveCount,
        progress: 0,
        errorMessage: null,
      },
    );
    if (!claim) return RELOAD;
    const mine: JobExpectation = { status: 'RENDERING', renderId: null, startedAt };
    const release = () => store.update(job.id, mine, { status: 'QUEUED', startedAt: null });
    let renderId: string;
    let othersRendering: number;
    try {
      othersRendering = countOtherRenders(await store.listRenderingJobs(), job.id);
      if (othersRendering >= settings.renderCap) {
        metrics.renderCapReached({ jobId: job.id, rendersInFlight: othersRendering });
        await release();
        await noteStillQueued(job);
        return later(jittered(settings.capWaitSeconds), 'render cap reached while claiming');
      }
      ({ renderId } = await renderer.start({
        jobId: job.id,
        owner: job.owner,
        compositionId: job.compositionId,
        inputProps: parsed.props,
      }));
    } catch (error) {
      // Nothing was started: give the slot back before the failure is classified.
      await insist(release, delivery.deadlineMs).catch((releaseError: unknown) =>
        log('release after failed start failed', {
          jobId: job.id,
          error: describeError(releaseError),
        }),
      );
      throw error;
    }
    let recorded: boolean;
    try {
      recorded = await insist(() => store.update(job.id, mine, { renderId }), delivery.deadlineMs);
    } catch (error) {
      await insist(() => renderer.cancel(renderId), delivery.deadlineMs);
      throw error;
    }
    if (!recorded) {
      // The job moved on (cancelled, or our claim was taken over): this render must not survive.
      await insist(() => renderer.cancel(renderId), delivery.deadlineMs);
      return RELOAD;
    }
    metrics.renderStarted({ jobId: job.id, renderId, rendersInFlight: othersRendering + 1 });
    return trackRender({ ...job, status: 'RENDERING', renderId, startedAt }, renderId, delivery, {
      justStarted: true,
    });
  };

  const etaSecondsOf = (job: JobRecord, progress: number): number | null => {
    if (!job.startedAt || progress <= 0) return null;
    const elapsed = (clock.now() - Date.parse(job.startedAt)) / 1000;
    return Math.max(0, Math.round((elapsed * (1 - progress)) / progress));
  };

  const trackRender = async (
    job: JobRecord,
    renderId: string,
    delivery: Delivery,
    { justStarted = false } = {},
  ): Promise<StepResult> => {
    const mine: JobExpectation = { status: 'RENDERING', renderId };
    // Right after the start, the job was just read and written (progress 0): the first look needs neither.
    let lastProgress = justStarted ? 0 : (job.progress ?? -1);
    let lastPushAt = justStarted ? clock.now() : Number.NEGATIVE_INFINITY;
    let reread = !justStarted;
    // While a render runs, a short outage of the store or the renderer is ridden out in place: handing the
    // message back would spend one of its few receives, and a few outages would fail a render that is fine.
    const steady = <T>(action: () => Promise<T>) => insist(action, delivery.deadlineMs);
    for (;;) {
      const progress = await steady(() => renderer.getProgress(renderId));
      if (progress.state === 'done') {
        const written = await steady(() =>
          store.update(job.id, mine, {
            status: 'SUCCEEDED',
            progress: 1,
            renderedFrames: progress.renderedFrames,
            totalFrames: progress.totalFrames,
            etaSeconds: 0,
            costUsd: progress.costUsd,
            outputBucket: progress.output.bucket,
            outputKey: progress.output.key,
            outputSizeBytes: progress.output.sizeBytes,
            finishedAt: iso(),
          }),
        );
        return written ? ack('succeeded') : RELOAD;
      }
      if (progress.state === 'failed' && progress.retryable) {
        // Throttling or an outage is not the props' fault: queue the job to render again after a backoff.
        // Each retry spends a receive of this message, so the DLQ ends the job after maxReceiveCount.
        const requeued = await steady(() =>
          store.update(job.id, mine, {
            status: 'QUEUED',
            renderId: null,
            startedAt: null,
            progress: null,
            renderedFrames: null,
            totalFrames: null,
            etaSeconds: null,
          }),
        );
        if (!requeued) return RELOAD;
        const delaySeconds = computeBackoffSeconds(delivery.receiveCount, random, {
          baseSeconds: settings.backoffBaseSeconds,
          maxSeconds: settings.backoffMaxSeconds,
        });
        log('retryable render failure', {
          jobId: job.id,
          renderId,
          error: progress.message,
          delaySeconds,
        });
        return { action: 'retry', delaySeconds, reason: progress.message };
      }
      if (progress.state === 'failed') {
        return failJob(
          job,
          `The render failed: ${progress.message} Check the composition and its props, then render again.`,
          progress.costUsd,
        );
      }
      if (reread) {
        const current = await steady(() => store.get(job.id));
        if (!current || statusOf(current) !== 'RENDERING' || current.renderId !== renderId)
          return RELOAD;
        if (current.cancelRequested) return cancelJob(current);
      }
      reread = true;
      const now = clock.now();
      if (
        progress.progress - lastProgress >= settings.pushMinProgressDelta ||
        now - lastPushAt >= settings.pushMaxIntervalMs
      ) {
        const pushed = await steady(() =>
          store.update(job.id, mine, {
            progress: progress.progress,
            renderedFrames: progress.renderedFrames,
            totalFrames: progress.totalFrames,
            etaSeconds: etaSecondsOf(job, progress.progress),
            costUsd: progress.costUsd,
          }),
        );
        if (!pushed) return RELOAD;
        lastProgress = progress.progress;
        lastPushAt = now;
      }
      if (
        clock.now() + settings.pollIntervalMs >=
        delivery.deadlineMs - settings.stopBeforeDeadlineMs
      ) {
        return later(0, 'time budget nearly spent; resume in the next delivery');
      }
      await clock.sleep(settings.pollIntervalMs);
    }
  };

  const step = async (job: JobRecord, delivery: Delivery): Promise<StepResult> => {
    const status = statusOf(job);
    if (isTerminal(status)) {
      // A duplicate delivery that read the job before it ended may have taken a slot since: give it back.
      await slots
        .release(job)
        .catch((error: unknown) =>
          log('render slot release failed', { jobId: job.id, error: describeError(error) }),
        );
      return ack(`already ${status}`);
    }
    if (job.cancelRequested) return cancelJob(job);
    if (status === 'QUEUED') return startRender(job, delivery);
    if (job.renderId) return trackRender(job, job.renderId, delivery);
    // RENDERING without a render id: a start is in progress, or its worker died before storing the id.
    if (claimIsFresh(job))
      return later(settings.claimWaitSeconds, 'another delivery is starting this render');
    // Its worker died mid-start. A render may have started that nobody can track; the lease outlasts
    // any render, so it is over by now. Starting again could render twice, so the job ends here.
    const written = await store.update(
      job.id,
      { status: 'RENDERING', renderId: null, startedAt: job.startedAt ?? null },
      {
        status: 'FAILED',
        errorMessage: ABANDONED_START_MESSAGE,
        finishedAt: iso(),
        etaSeconds: null,
      },
    );
    return written ? ack(`failed: ${ABANDONED_START_MESSAGE}`) : RELOAD;
  };

  const runSteps = async (
    delivery: Delivery,
    handle: (job: JobRecord) => Promise<StepResult>,
    onPermanent: (message: string) => Promise<DeliveryOutcome> = (message) =>
      failPermanently(delivery, message),
  ): Promise<DeliveryOutcome> => {
    try {
      // A lost conditional write means someone else moved the job: read it again and decide anew.
      for (let round = 0; round < 5; round += 1) {
        // A short outage is ridden out in place: each hand-back spends one of the message's few receives.
        const job = await insist(() => store.get(delivery.jobId), delivery.deadlineMs);
        if (!job) return ack('job not found');
        const result = await handle(job);
        if (result !== RELOAD) return result;
      }
      return later(settings.claimWaitSeconds, 'the job kept changing under this delivery');
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure.retryable) {
        const delaySeconds = computeBackoffSeconds(delivery.receiveCount, random, {
          baseSeconds: settings.backoffBaseSeconds,
          maxSeconds: settings.backoffMaxSeconds,
        });
        log('retryable failure', { jobId: delivery.jobId, error: failure.message, delaySeconds });
        return { action: 'retry', delaySeconds, reason: failure.message };
      }
      log('permanent failure', { jobId: delivery.jobId, error: failure.message });
      return onPermanent(failure.message);
    }
  };

  // A permanent error ends the job; a running render is cancelled first so it does not outlive it.
  const failPermanently = (delivery: Delivery, message: string): Promise<DeliveryOutcome> =>
    runSteps(
      delivery,
      async (job) => {
        if (isTerminal(statusOf(job))) return ack(`already ${statusOf(job)}`);
        if (job.renderId) {
          const progress = await readProgressSafely(job.renderId);
          if (progress?.state === 'running') await renderer.cancel(job.renderId);
        }
        return failJob(job, `The render could not be completed: ${message}`);
      },
      // Even recording the failure failed: keep the message so a later receive (or the DLQ) tries again.
      async (secondMessage) => ({
        action: 'retry',
        delaySeconds: settings.claimWaitSeconds,
        reason: `could not record a permanent failure (${message}): ${secondMessage}`,
      }),
    );

  const processDelivery = (delivery: Delivery) => runSteps(delivery, (job) => step(job, delivery));

  const giveUp = (delivery: Delivery) =>
    runSteps(delivery, async (job) => {
      const status = statusOf(job);
      if (isTerminal(status)) return ack(`already ${status}`);
      if (status === 'RENDERING' && !job.renderId && claimIsFresh(job)) {
        return {
          action: 'retry',
          delaySeconds: settings.claimWaitSeconds,
          reason: 'a render start is in progress',
        };
      }
      let costUsd: number | undefined;
      if (job.renderId) {
        const progress = await renderer.getProgress(job.renderId);
        if (progress.state === 'running') await renderer.cancel(job.renderId);
        costUsd = progress.costUsd;
      }
      return failJob(
        job,
        `The render service gave up after ${settings.maxReceiveCount} attempts because AWS kept reporting ` +
          'temporary errors (throttling or outages). Render again in a few minutes.',
        costUsd,
      );
    });

  const handleMessage: RenderWorker['handleMessage'] = async (delivery) => {
    const outcome = delivery.deadLetter ? await giveUp(delivery) : await processDelivery(delivery);
    log('delivery handled', { jobId: delivery.jobId, ...outcome });
    if (outcome.action === 'ack') return 'delete';
    if (outcome.action === 'continue' && !delivery.deadLetter) {
      await queue.continueLater(delivery.jobId, outcome.delaySeconds);
      return 'delete';
    }
    // A dead letter is handed back on the DLQ, or it would wait out the DLQ's long visibility timeout.
    await queue.retryLater(
      delivery.receiptHandle,
      outcome.delaySeconds,
      delivery.deadLetter ? 'dead-letter' : 'render',
    );
    return 'keep';
  };

  return { processDelivery, giveUp, handleMessage };
};
