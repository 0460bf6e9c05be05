import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { OperationsQueues } from './operations';

/** Queue URLs the Operations view reads and sends to. */
export interface OperationsQueueUrls {
  renderQueueUrl: string;
  deadLetterQueueUrl: string;
}

/** The queues over SQS (fauxqs speaks the same API locally): counts and a redrive's send, nothing received. */
export const createSqsOperationsQueues = (
  sqs: SQSClient,
  urls: OperationsQueueUrls,
): OperationsQueues => {
  const count = async (queueUrl: string) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  };
  return {
    renderQueueCounts: () => count(urls.renderQueueUrl),
    async deadLetterQueueCount() {
      const dlq = await count(urls.deadLetterQueueUrl);
      return dlq.visible + dlq.inFlight;
    },
    async enqueue(jobId) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: urls.renderQueueUrl,
          MessageBody: JSON.stringify({ jobId }),
        }),
      );
    },
  };
};
