import { expiresAtOf } from '../../../contract/output-retention';
import { endCancelled, endFailed } from './job-endings';
import { phaseOf } from './job-status';
import { applyTransition, pushProgress, requeueJob, succeedJob } from './job-transitions';
import type { JobRecord, RenderProgress } from './ports';
import {
  ack,
  backoffSeconds,
  insist,
  later,
  nowIso,
  RELOAD,
  type Delivery,
  type StepResult,
  type WorkerContext,
} from './worker-context';

const etaSecondsOf = (context: WorkerContext, job: JobRecord, progress: number): number | null => {
  if (!job.startedAt || progress <= 0) return null;
  const elapsed = (context.clock.now() - Date.parse(job.startedAt)) / 1000;
  return Math.max(0, Math.round((elapsed * (1 - progress)) / progress));
};

/** A render that is over: the job ends SUCCEEDED or FAILED, or is queued again after a temporary failure. */
const settleRender = async (
  context: WorkerContext,
  job: JobRecord,
  renderId: string,
  progress: Exclude<RenderProgress, { state: 'running' }>,
  delivery: Delivery,
): Promise<StepResult> => {
  const steady = <T>(action: () => Promise<T>) => insist(context, action, delivery.deadlineMs);
  if (progress.state === 'done') {
    const finishedAt = nowIso(context);
    const expiresAt = expiresAtOf(finishedAt, context.settings.retentionDays);
    const written = await steady(() =>
      applyTransition(context.store, job.id, succeedJob(renderId, progress, finishedAt, expiresAt)),
    );
    return written ? ack('succeeded') : RELOAD;
  }
  if (!progress.retryable) {
    return endFailed(
      context,
      job,
      `The render failed: ${progress.message} Check the composition and its props, then render again.`,
      progress.costUsd,
    );
  }
  // Throttling or an outage is not the props' fault: queue the job to render again after a backoff.
  // Each retry spends a receive of this message, so the DLQ ends the job after maxReceiveCount.
  const requeued = await steady(() => applyTransition(context.store, job.id, requeueJob(renderId)));
  if (!requeued) return RELOAD;
  const delaySeconds = backoffSeconds(context, delivery.receiveCount);
  context.log('retryable render failure', {
    jobId: job.id,
    renderId,
    error: progress.message,
    delaySeconds,
  });
  return { action: 'retry', delaySeconds, reason: progress.message };
};

/**
 * The rendering phase: polls the render until it is over, pushing progress when it moved enough or enough time
 * passed, noticing a cancel request, and handing over to a fresh delivery before this one's deadline.
 */
export const trackRender = async (
  context: WorkerContext,
  job: JobRecord,
  renderId: string,
  delivery: Delivery,
  {
    justStarted = false,
    lookOnce = false,
  }: {
    justStarted?: boolean;
    /** A wake-up: settle a render that is over, leave a running one (or a retryable failure) to its tracker. */
    lookOnce?: boolean;
  } = {},
): Promise<StepResult> => {
  const { settings, clock, renderer, store } = context;
  // Right after the start, the job was just read and written (progress 0): the first look needs neither.
  let lastProgress = justStarted ? 0 : (job.progress ?? -1);
  let lastPushAt = justStarted ? clock.now() : Number.NEGATIVE_INFINITY;
  let reread = !justStarted;
  // While a render runs, a short outage of the store or the renderer is ridden out in place: handing the
  // message back would spend one of its few receives, and a few outages would fail a render that is fine.
  const steady = <T>(action: () => Promise<T>) => insist(context, action, delivery.deadlineMs);
  for (;;) {
    const progress = await steady(() => renderer.getProgress(renderId));
    if (
      lookOnce &&
      (progress.state === 'running' || (progress.state === 'failed' && progress.retryable))
    )
      return ack(`woken for render ${renderId}, which its tracker still follows`);
    if (progress.state !== 'running')
      return settleRender(context, job, renderId, progress, delivery);
    const now = clock.now();
    const push =
      progress.progress - lastProgress >= settings.pushMinProgressDelta ||
      now - lastPushAt >= settings.pushMaxIntervalMs;
    // A push is conditional on the job still rendering this render with no cancel asked for, so it is the check
    // too; only a poll that pushes nothing reads the job to see a cancel (one request per poll, not two).
    if (reread && !push) {
      const current = await steady(() => store.get(job.id));
      if (!current || phaseOf(current) !== 'rendering' || current.renderId !== renderId)
        return RELOAD;
      if (current.cancelRequested) return endCancelled(context, current);
    }
    reread = true;
    if (push) {
      const pushed = await steady(() =>
        applyTransition(
          store,
          job.id,
          pushProgress(renderId, {
            progress: progress.progress,
            renderedFrames: progress.renderedFrames,
            totalFrames: progress.totalFrames,
            etaSeconds: etaSecondsOf(context, job, progress.progress),
            costUsd: progress.costUsd,
          }),
        ),
      );
      if (!pushed) return RELOAD;
      lastProgress = progress.progress;
      lastPushAt = now;
    }
    if (
      clock.now() + settings.pollIntervalMs >=
      delivery.deadlineMs - settings.stopBeforeDeadlineMs
    )
      return later(0, 'time budget nearly spent; resume in the next delivery');
    await clock.sleep(settings.pollIntervalMs);
  }
};
