import { describeError } from './failure-classes';
import { phaseOf, statusOf } from './job-status';
import {
  applyTransition,
  cancelAbandonedStart,
  cancelJob,
  failAbandonedStart,
  failJob,
} from './job-transitions';
import type { JobRecord, RenderProgress } from './ports';
import {
  ack,
  claimIsFresh,
  later,
  nowIso,
  RELOAD,
  type StepResult,
  type WorkerContext,
} from './worker-context';

/** Why a job whose start was interrupted ends FAILED. */
export const ABANDONED_START_MESSAGE =
  'The render worker stopped while starting this render, so it cannot be tracked. Render again.';

/** Ends `job` FAILED with `message`, from whatever non-terminal phase it was read in. */
export const endFailed = async (
  context: WorkerContext,
  job: JobRecord,
  message: string,
  costUsd?: number,
): Promise<StepResult> => {
  const written = await applyTransition(
    context.store,
    job.id,
    failJob(job, message, nowIso(context), costUsd),
  );
  return written ? ack(`failed: ${message}`) : RELOAD;
};

/** Stops the render if it still runs; resolves its cost so far. */
const stopRender = async (
  context: WorkerContext,
  renderId: string,
): Promise<number | undefined> => {
  const progress = await context.renderer.getProgress(renderId);
  if (progress.state === 'running') await context.renderer.cancel(renderId);
  return progress.costUsd;
};

/** A cancel request: stops the render if one runs, then ends the job CANCELLED. */
export const endCancelled = async (context: WorkerContext, job: JobRecord): Promise<StepResult> => {
  const phase = phaseOf(job);
  if (phase === 'starting') {
    // Another delivery is starting this render: let it store the render id, then cancel that render.
    if (claimIsFresh(context, job))
      return later(context.settings.claimWaitSeconds, 'cancel waits for a render start');
    const written = await applyTransition(
      context.store,
      job.id,
      cancelAbandonedStart(job, nowIso(context)),
    );
    return written ? ack('cancelled (abandoned start)') : RELOAD;
  }
  const costUsd =
    phase === 'rendering' && job.renderId
      ? await stopRender(context, job.renderId)
      : (job.costUsd ?? undefined);
  const written = await applyTransition(
    context.store,
    job.id,
    cancelJob(job, nowIso(context), costUsd),
  );
  return written ? ack('cancelled') : RELOAD;
};

/** Why a second wake-up of a batch row that another delivery is starting was dropped. */
export const ROW_BEING_STARTED_REASON = 'another delivery is starting this row';

/**
 * A start claim with no render id: another delivery is starting it (look again shortly), or its worker died. The
 * claim lease outlasts any render, so a render that nobody can track is over by now; starting again could render
 * twice, so the job ends FAILED. A batch row's extra `{ jobId }` message (one the batch's first wake-ups or a retry
 * sent) is dropped instead of looking again (a `rowWake` is passed on before this, in job-lifecycle.ts): the starting
 * delivery holds the row's message, and should that start be abandoned, the reconciler finds the claim past its lease
 * and fails it, as it does for any job.
 */
export const settleStart = async (context: WorkerContext, job: JobRecord): Promise<StepResult> => {
  if (claimIsFresh(context, job))
    return job.batchId
      ? ack(ROW_BEING_STARTED_REASON)
      : later(context.settings.claimWaitSeconds, 'another delivery is starting this render');
  const written = await applyTransition(
    context.store,
    job.id,
    failAbandonedStart(job, ABANDONED_START_MESSAGE, nowIso(context)),
  );
  return written ? ack(`failed: ${ABANDONED_START_MESSAGE}`) : RELOAD;
};

/** A message that reached the DLQ: the job ends FAILED (a running render is cancelled first) unless already over. */
export const endDeadLettered = async (
  context: WorkerContext,
  job: JobRecord,
): Promise<StepResult> => {
  const phase = phaseOf(job);
  if (phase === 'terminal') return ack(`already ${statusOf(job)}`);
  if (phase === 'starting' && claimIsFresh(context, job)) {
    return {
      action: 'retry',
      delaySeconds: context.settings.claimWaitSeconds,
      reason: 'a render start is in progress',
    };
  }
  const costUsd = job.renderId ? await stopRender(context, job.renderId) : undefined;
  return endFailed(
    context,
    job,
    `The render service gave up after ${context.settings.maxReceiveCount} attempts because AWS kept reporting ` +
      'temporary errors (throttling or outages). Render again in a few minutes.',
    costUsd,
  );
};

const readProgressSafely = async (
  context: WorkerContext,
  renderId: string,
): Promise<RenderProgress | undefined> => {
  try {
    return await context.renderer.getProgress(renderId);
  } catch (error) {
    context.log('progress read failed', { renderId, error: describeError(error) });
    return undefined;
  }
};

/** A permanent error: the job ends FAILED; a running render is cancelled first so it does not outlive it. */
export const endAfterPermanentError = async (
  context: WorkerContext,
  job: JobRecord,
  message: string,
): Promise<StepResult> => {
  if (phaseOf(job) === 'terminal') return ack(`already ${statusOf(job)}`);
  if (job.renderId) {
    const progress = await readProgressSafely(context, job.renderId);
    if (progress?.state === 'running') await context.renderer.cancel(job.renderId);
  }
  return endFailed(context, job, `The render could not be completed: ${message}`);
};
