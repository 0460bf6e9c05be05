import { Duration, type Stack } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { RENDER_WORKER_TIMEOUT_SECONDS } from '../../contract/job-contract';
import type { PipelineConfig } from './config';

/** The render queue and its dead-letter queue. */
export interface RenderQueues {
  queue: Queue;
  deadLetterQueue: Queue;
}

/**
 * Creates the encrypted render queue and its DLQ. The visibility timeout is six times the
 * worker's timeout (AWS's advice for Lambda event sources), so a message never reappears
 * while the worker that holds it may still be running.
 */
export const createRenderQueue = (stack: Stack, config: PipelineConfig): RenderQueues => {
  const deadLetterQueue = new Queue(stack, 'RenderDeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    // The DLQ consumer is the same worker: it must outlive that worker's runs too.
    visibilityTimeout: Duration.seconds(RENDER_WORKER_TIMEOUT_SECONDS * 6),
  });
  const queue = new Queue(stack, 'RenderQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(RENDER_WORKER_TIMEOUT_SECONDS * 6),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: config.maxReceiveCount },
  });
  return { queue, deadLetterQueue };
};
