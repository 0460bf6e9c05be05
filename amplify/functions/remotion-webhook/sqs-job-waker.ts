import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WakeJobTracking } from './receive-remotion-webhook';

/**
 * Wakes a job's tracking by sending `{ jobId, wakeFor: renderId }` to the wake-up queue with no delay: the worker
 * reads that render's progress once and ends the job (docs/architecture.md, "Completion from Remotion's webhook").
 */
export const createSqsJobWaker =
  ({ client, queueUrl }: { client: Pick<SQSClient, 'send'>; queueUrl: string }): WakeJobTracking =>
  async ({ jobId, renderId }) => {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ jobId, wakeFor: renderId }),
        DelaySeconds: 0,
      }),
    );
  };
