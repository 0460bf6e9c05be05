import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { WAKE_UP_CONCURRENCY } from '../../contract/job-contract';
import type { RenderQueues } from './render-queue';
import type { PipelineConfig } from './config';

/**
 * Makes the render worker consume the render queue — one message per invocation, partial batch
 * failures reported, at most `renderCap` invocations at once — the wake-up queue beside that cap, and the DLQ, where
 * the same worker recognises DLQ records (by `RENDER_DLQ_ARN`) and marks their jobs FAILED.
 */
export const connectQueueToWorker = (
  { queue, wakeQueue, deadLetterQueue }: RenderQueues,
  worker: IFunction,
  config: PipelineConfig,
): void => {
  worker.addEventSource(
    new SqsEventSource(queue, {
      batchSize: 1,
      reportBatchItemFailures: true,
      maxConcurrency: config.renderCap,
    }),
  );
  worker.addEventSource(
    new SqsEventSource(wakeQueue, {
      batchSize: 1,
      reportBatchItemFailures: true,
      // Beside the render cap: a wake-up starts nothing, it reads one render's progress and ends the job.
      maxConcurrency: WAKE_UP_CONCURRENCY,
    }),
  );
  worker.addEventSource(
    new SqsEventSource(deadLetterQueue, {
      batchSize: 1,
      reportBatchItemFailures: true,
      // SQS's smallest allowed cap: marking jobs FAILED is cheap and must not crowd out renders.
      maxConcurrency: 2,
    }),
  );
};
