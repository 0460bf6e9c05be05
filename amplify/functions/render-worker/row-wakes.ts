import { describeError } from './failure-classes';
import type { JobRecord } from './ports';
import { MAX_ROW_WAKE_PASSES } from './render-slots';
import { ack, type Delivery, type StepResult, type WorkerContext } from './worker-context';

/** Why a row's wake-up went to another row: the row woken had been started by another delivery. */
export const ROW_WAKE_PASSED_ON_REASON = 'row already started: its wake-up passed on';

/**
 * A row's wake-up on its first receive (docs/architecture.md, "Batches", the hand-off). Only then can it be a second
 * wake-up of a row someone else started: a wake-up received again is the message of the delivery that started the
 * row (handed back after a temporary error, or after that delivery died), which must go on tracking it.
 */
export const isFreshRowWake = (delivery: Delivery): boolean =>
  delivery.rowWake !== undefined && delivery.receiveCount === 1;

/** The pass count of the wake-ups a delivery sends on: one more than its own, or 0 when it freed a slot itself. */
export const passesAfter = (delivery: Delivery, freed = 0): number =>
  freed > 0 || delivery.rowWake === undefined ? 0 : delivery.rowWake + 1;

/**
 * A row's wake-up (a freed slot of its owner) reached a row that another delivery already started or admitted,
 * because two ends that raced woke the same row: the wake-up goes to another waiting row instead, so the slot is not
 * left empty. The row is its own message's business: this delivery neither tracks its render (a second tracker) nor
 * waits for it.
 */
export const passRowWakeOn = async (
  context: WorkerContext,
  job: JobRecord,
  delivery: Delivery,
): Promise<StepResult> => {
  const passes = passesAfter(delivery);
  try {
    if (passes > MAX_ROW_WAKE_PASSES)
      context.log('row wake-up dropped: passed on too often', { jobId: job.id, passes });
    else await context.handOff(job, 1, passes);
  } catch (error) {
    context.log('row wake-up hand-off failed', { jobId: job.id, error: describeError(error) });
  }
  return ack(ROW_WAKE_PASSED_ON_REASON);
};
