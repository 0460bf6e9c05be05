import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { KeptMessage, OperationsQueues } from './operations';

/** Queue URLs the Operations view reads and acts on. */
export interface OperationsQueueUrls {
  renderQueueUrl: string;
  deadLetterQueueUrl: string;
  /** Where the worker keeps each dead letter after ending its job FAILED, for admins to redrive or discard. */
  deadLetterArchiveUrl: string;
}

// Long enough to finish one listing or one take; shorter than a person's second click.
const HOLD_SECONDS = 20;

const toKept = (message: Message): KeptMessage => ({
  messageId: message.MessageId ?? '',
  body: message.Body ?? '',
  receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0) || 0,
  sentAt: message.Attributes?.SentTimestamp
    ? new Date(Number(message.Attributes.SentTimestamp)).toISOString()
    : null,
});

/** The queues over SQS (fauxqs speaks the same API locally). SQS cannot list a queue: it is received and put back. */
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
  const receive = async (max: number): Promise<Message[]> => {
    const messages: Message[] = [];
    const seen = new Set<string>();
    while (messages.length < max) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: urls.deadLetterArchiveUrl,
          MaxNumberOfMessages: Math.min(10, max - messages.length),
          VisibilityTimeout: HOLD_SECONDS,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        }),
      );
      const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.add(message.MessageId!);
      messages.push(...fresh);
    }
    return messages;
  };
  const putBack = (messages: Message[]) =>
    Promise.all(
      messages.map((message) =>
        sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: urls.deadLetterArchiveUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        ),
      ),
    );
  const remove = (message: Message) =>
    sqs.send(
      new DeleteMessageCommand({
        QueueUrl: urls.deadLetterArchiveUrl,
        ReceiptHandle: message.ReceiptHandle,
      }),
    );

  return {
    renderQueueCounts: () => count(urls.renderQueueUrl),
    async deadLetterCount() {
      const [dlq, archive] = await Promise.all([
        count(urls.deadLetterQueueUrl),
        count(urls.deadLetterArchiveUrl),
      ]);
      return dlq.visible + dlq.inFlight + archive.visible + archive.inFlight;
    },
    async peekDeadLetters(max) {
      const messages = await receive(max);
      await putBack(messages);
      return messages.map(toKept);
    },
    async takeDeadLetter(messageId) {
      const messages = await receive(1000);
      const match = messages.find((message) => message.MessageId === messageId);
      await putBack(messages.filter((message) => message !== match));
      if (!match) return null;
      await remove(match);
      return toKept(match);
    },
    async takeDeadLetters(max) {
      const messages = await receive(max);
      await Promise.all(messages.map(remove));
      return messages.map(toKept);
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
