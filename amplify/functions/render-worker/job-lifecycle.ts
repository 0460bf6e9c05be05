import { startRender } from './admission';
import { applyOutcome, runSteps, type ReceivedMessage } from './delivery-outcome';
import { describeError } from './failure-classes';
import { endCancelled, endDeadLettered, settleStart } from './job-endings';
import { isTerminal, phaseOf, statusOf } from './job-status';
import type { JobRecord } from './ports';
import { trackRender } from './render-tracking';
import { isFreshRowWake, passesAfter, passRowWakeOn } from './row-wakes';
import {
  ack,
  claimIsFresh,
  createWorkerContext,
  type Delivery,
  type DeliveryOutcome,
  type RenderWorkerDeps,
  type StepResult,
  type WorkerContext,
} from './worker-context';

export { OWNER_AT_LIMIT_REASON, ROW_WAITS_IN_TABLE_REASON } from './admission';
export { ABANDONED_START_MESSAGE } from './job-endings';
export { ROW_WAKE_PASSED_ON_REASON } from './row-wakes';
export {
  DEFAULT_WORKER_SETTINGS,
  type Delivery,
  type DeliveryOutcome,
  type ParseInputProps,
  type RenderWorkerDeps,
  type WorkerSettings,
} from './worker-context';
/** The status helpers, where callers of the lifecycle have always found them. */
export { isTerminal, statusOf };

/** The job lifecycle of docs/architecture.md ("Job lifecycle"), over its ports. */
export interface RenderWorker {
  /** Handles one delivery of a job message from the render queue. */
  processDelivery(delivery: Delivery): Promise<DeliveryOutcome>;
  /** Handles a message that reached the DLQ: the job ends FAILED unless already terminal. */
  giveUp(delivery: Delivery): Promise<DeliveryOutcome>;
  /** Handles a delivery and applies its outcome through the queue; resolves whether to delete the message. */
  handleMessage(delivery: ReceivedMessage): Promise<'delete' | 'keep'>;
}

/**
 * A job already over: a duplicate delivery that read it before it ended may have taken a slot since. A row's fresh
 * wake-up (meant for a freed slot) passes on with any slot freed here.
 */
const acknowledgeEnded = async (
  context: WorkerContext,
  job: JobRecord,
  delivery: Delivery,
): Promise<StepResult> => {
  try {
    // A job ended elsewhere (a batch cancel, a removal) while it held a slot: free it and pass it on.
    const freed = await context.slots.release(job);
    const wakes = freed + (isFreshRowWake(delivery) ? 1 : 0);
    if (wakes > 0) await context.handOff(job, wakes, passesAfter(delivery, freed));
  } catch (error) {
    context.log('render slot release or hand-off failed', {
      jobId: job.id,
      error: describeError(error),
    });
  }
  return ack(`already ${statusOf(job)}`);
};

/** Whether another delivery is rendering the job, or starting it under a claim still within its lease. */
const isStartedBy = (context: WorkerContext, job: JobRecord, phase: ReturnType<typeof phaseOf>) =>
  phase === 'rendering' || (phase === 'starting' && claimIsFresh(context, job));

/** One look at the job: what its phase (and a cancel request) asks of this delivery. */
const step = (context: WorkerContext, job: JobRecord, delivery: Delivery): Promise<StepResult> => {
  const phase = phaseOf(job);
  // A wake-up concerns one render only: a job that moved on is its own messages' business.
  if (delivery.wakeFor && (phase !== 'rendering' || job.renderId !== delivery.wakeFor))
    return Promise.resolve(ack(`woken for render ${delivery.wakeFor}, but the job is ${phase}`));
  if (phase === 'terminal') return acknowledgeEnded(context, job, delivery);
  if (isFreshRowWake(delivery) && isStartedBy(context, job, phase))
    return passRowWakeOn(context, job, delivery);
  if (job.cancelRequested) return endCancelled(context, job);
  switch (phase) {
    case 'queued':
      return startRender(context, job, delivery);
    case 'rendering':
      return trackRender(context, job, job.renderId!, delivery, {
        lookOnce: delivery.wakeFor !== undefined,
      });
    case 'starting':
      return settleStart(context, job);
  }
};

/** Builds the render worker over its ports; the same core runs in Lambda, in local mode and in tests. */
export const createRenderWorker = (deps: RenderWorkerDeps): RenderWorker => {
  const context = createWorkerContext(deps);
  const processDelivery = (delivery: Delivery) =>
    runSteps(context, delivery, (job) => step(context, job, delivery));
  const giveUp = (delivery: Delivery) =>
    runSteps(context, delivery, (job) => endDeadLettered(context, job));
  const handleMessage = async (message: ReceivedMessage) => {
    // A wake-up is only a hint: one that keeps failing must never end the job from the DLQ.
    if (message.deadLetter && message.wakeFor)
      return applyOutcome(context, message, ack('dead-lettered wake-up dropped'));
    const outcome = message.deadLetter ? await giveUp(message) : await processDelivery(message);
    return applyOutcome(context, message, outcome);
  };
  return { processDelivery, giveUp, handleMessage };
};
