import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { WebhookQueue } from './webhook-ports';

/** The webhook queue over SQS (fauxqs in local mode); the delay is SQS's own `DelaySeconds`. */
export const createSqsWebhookQueue = ({
  client,
  queueUrl,
}: {
  client: Pick<SQSClient, 'send'>;
  queueUrl: string;
}): WebhookQueue => ({
  async enqueue(message, delaySeconds) {
    await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.max(0, Math.min(900, Math.round(delaySeconds))),
      }),
    );
  },
});
