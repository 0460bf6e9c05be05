import { classifyFailure } from './failure-classes';
import { endAfterPermanentError } from './job-endings';
import type { JobRecord } from './ports';
import {
  ack,
  backoffSeconds,
  insist,
  later,
  RELOAD,
  type Delivery,
  type DeliveryOutcome,
  type StepResult,
  type WorkerContext,
} from './worker-context';

/** A message as the SQS handler passes it: a delivery, its receipt, and whether it came from the DLQ. */
export type ReceivedMessage = Delivery & { receiptHandle: string; deadLetter?: boolean };

/**
 * Reads the job and runs `step` on it until the step answers an outcome (a lost conditional write reads again, a
 * few times). A thrown error becomes the outcome: a temporary one hands the message back after a backoff, a
 * permanent one goes to `onPermanent` (by default the job ends FAILED).
 */
export const runSteps = async (
  context: WorkerContext,
  delivery: Delivery,
  step: (job: JobRecord) => Promise<StepResult>,
  onPermanent: (message: string) => Promise<DeliveryOutcome> = (message) =>
    failPermanently(context, delivery, message),
): Promise<DeliveryOutcome> => {
  try {
    // A lost conditional write means someone else moved the job: read it again and decide anew.
    for (let round = 0; round < 5; round += 1) {
      // A short outage is ridden out in place: each hand-back spends one of the message's few receives.
      const job = await insist(
        context,
        () => context.store.get(delivery.jobId),
        delivery.deadlineMs,
      );
      if (!job) return ack('job not found');
      const result = await step(job);
      if (result !== RELOAD) return result;
    }
    return later(context.settings.claimWaitSeconds, 'the job kept changing under this delivery');
  } catch (error) {
    const failure = classifyFailure(error);
    if (failure.retryable) {
      const delaySeconds = backoffSeconds(context, delivery.receiveCount);
      context.log('retryable failure', {
        jobId: delivery.jobId,
        error: failure.message,
        delaySeconds,
      });
      return { action: 'retry', delaySeconds, reason: failure.message };
    }
    context.log('permanent failure', { jobId: delivery.jobId, error: failure.message });
    return onPermanent(failure.message);
  }
};

/** A permanent error ends the job; if even recording that fails, the message is kept for a later receive. */
const failPermanently = (
  context: WorkerContext,
  delivery: Delivery,
  message: string,
): Promise<DeliveryOutcome> =>
  runSteps(
    context,
    delivery,
    (job) => endAfterPermanentError(context, job, message),
    // Even recording the failure failed: keep the message so a later receive (or the DLQ) tries again.
    async (secondMessage) => ({
      action: 'retry',
      delaySeconds: context.settings.claimWaitSeconds,
      reason: `could not record a permanent failure (${message}): ${secondMessage}`,
    }),
  );

/** Applies `outcome` through the queue; resolves whether the SQS handler deletes the message. */
export const applyOutcome = async (
  context: WorkerContext,
  message: ReceivedMessage,
  outcome: DeliveryOutcome,
): Promise<'delete' | 'keep'> => {
  context.log('delivery handled', { jobId: message.jobId, ...outcome });
  if (outcome.action === 'ack') return 'delete';
  // A wake-up is only a hint, on a queue of its own: its job's tracker settles what it could not (never a second
  // tracker from a continue, nor a hand-back on the render queue, which does not hold it).
  if (message.wakeFor) {
    context.log('wake-up dropped', { jobId: message.jobId, wakeFor: message.wakeFor });
    return 'delete';
  }
  if (outcome.action === 'continue' && !message.deadLetter) {
    await context.queue.continueLater(message.jobId, outcome.delaySeconds);
    return 'delete';
  }
  // A dead letter is handed back on the DLQ, or it would wait out the DLQ's long visibility timeout.
  await context.queue.retryLater(
    message.receiptHandle,
    outcome.delaySeconds,
    message.deadLetter ? 'dead-letter' : 'render',
  );
  return 'keep';
};
