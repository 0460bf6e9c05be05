import { Duration, type Stack } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { RENDER_WORKER_TIMEOUT_SECONDS } from '../../contract/job-contract';
import type { PipelineConfig } from './config';

/** The render queue, the wake-up queue and their dead-letter queue. */
export interface RenderQueues {
  queue: Queue;
  /** Remotion's webhook wake-ups (`{ jobId, wakeFor }`), consumed beside the render cap. */
  wakeQueue: Queue;
  deadLetterQueue: Queue;
}

/**
 * Creates the encrypted render queue, the wake-up queue and their DLQ. The visibility timeout is six times the
 * worker's timeout (AWS's advice for Lambda event sources), so a message never reappears
 * while the worker that holds it may still be running.
 */
export const createRenderQueue = (stack: Stack, config: PipelineConfig): RenderQueues => {
  // Every queue is consumed by the worker: a message must outlive that worker's runs, on the DLQ too.
  const consumedByTheWorker = {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(RENDER_WORKER_TIMEOUT_SECONDS * 6),
  };
  const deadLetterQueue = new Queue(stack, 'RenderDeadLetterQueue', {
    ...consumedByTheWorker,
    retentionPeriod: Duration.days(14),
  });
  const redrive = { queue: deadLetterQueue, maxReceiveCount: config.maxReceiveCount };
  const queue = new Queue(stack, 'RenderQueue', {
    ...consumedByTheWorker,
    retentionPeriod: Duration.days(4),
    deadLetterQueue: redrive,
  });
  // Its own queue, so a wake-up is received while every render-cap slot tracks a render (docs/architecture.md,
  // "Completion from Remotion's webhook"). Kept a day: longer than its receives × the visibility timeout, so a
  // wake-up whose deliveries keep failing reaches the DLQ (which drops it) instead of expiring unseen.
  const wakeQueue = new Queue(stack, 'RenderWakeQueue', {
    ...consumedByTheWorker,
    retentionPeriod: Duration.days(1),
    deadLetterQueue: redrive,
  });
  return { queue, wakeQueue, deadLetterQueue };
};
