import {
  ChangeMessageVisibilityCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { JobQueue } from './ports';

// SQS caps both a message's visibility timeout and its delay.
const MAX_VISIBILITY_SECONDS = 43_200;
const MAX_DELAY_SECONDS = 900;

const clamp = (seconds: number, max: number) => Math.min(max, Math.max(0, Math.round(seconds)));

/** The render queue and its DLQ over SQS (fauxqs locally): hand a message back, or enqueue a fresh `{ jobId }` (or a row's wake-up). */
export const createSqsJobQueue = ({
  client,
  queueUrl,
  deadLetterQueueUrl,
}: {
  client: SQSClient;
  queueUrl: string;
  /** Without it a dead letter is not handed back early: it waits out the DLQ's visibility timeout. */
  deadLetterQueueUrl?: string;
}): JobQueue => ({
  async retryLater(receiptHandle, delaySeconds, from = 'render') {
    const url = from === 'dead-letter' ? deadLetterQueueUrl : queueUrl;
    if (!url) return;
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: clamp(delaySeconds, MAX_VISIBILITY_SECONDS),
      }),
    );
  },
  async continueLater(jobId, delaySeconds) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ jobId }),
        DelaySeconds: clamp(delaySeconds, MAX_DELAY_SECONDS),
      }),
    );
  },
  async wakeRow(jobId, passes) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ jobId, rowWake: passes }),
      }),
    );
  },
});
