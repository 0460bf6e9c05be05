import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RenderQueues } from './render-queue';
import type { PipelineConfig } from './config';

/**
 * Makes the render worker consume the render queue — one message per invocation, partial batch
 * failures reported, at most `renderCap` invocations at once — and its DLQ, where the same worker
 * recognises DLQ records (by `RENDER_DLQ_ARN`) and marks their jobs FAILED.
 */
export const connectQueueToWorker = (
  { queue, deadLetterQueue }: RenderQueues,
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
    new SqsEventSource(deadLetterQueue, {
      batchSize: 1,
      reportBatchItemFailures: true,
      // SQS's smallest allowed cap: marking jobs FAILED is cheap and must not crowd out renders.
      maxConcurrency: 2,
    }),
  );
};
