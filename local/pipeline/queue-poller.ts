import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { Consumer } from 'sqs-consumer';

/** The render worker's Lambda handler shape (`createSqsHandler`). */
export type SqsLambdaHandler = (
  event: SQSEvent,
  context: { getRemainingTimeInMillis(): number },
) => Promise<SQSBatchResponse>;

/** Turns a received SQS message into the record a Lambda event source mapping would deliver. */
export function toSqsRecord(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '',
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Calls `handler` like Lambda would and returns the messages to delete (all but the reported failures). */
export async function invokeForBatch(
  handler: SqsLambdaHandler,
  messages: Message[],
  source: { queueArn: string; region: string; timeoutMs: number },
): Promise<Message[]> {
  const startedAt = Date.now();
  const records = messages.map((message) => toSqsRecord(message, source.queueArn, source.region));
  const response = await handler(
    { Records: records },
    { getRemainingTimeInMillis: () => source.timeoutMs - (Date.now() - startedAt) },
  );
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  return messages.filter((message) => !failed.has(message.MessageId ?? ''));
}

/** A running poller: the local Lambda event source mapping of one queue. */
export interface QueuePoller {
  /** Stops polling (aborting long polls); handlers already running finish on their own. */
  stop(): void;
  /** How many batches are being handled right now. */
  inFlight(): number;
}

/**
 * The local event source mapping: `maxConcurrency` sqs-consumer instances, each receiving `batchSize`
 * messages and waiting for the handler before it polls again, so no more than `maxConcurrency` batches
 * run at once, like the cloud's `MaximumConcurrency`. The handler's `batchItemFailures` decide what is
 * deleted (sqs-consumer 14's `handleMessageBatch` deletes exactly the messages it returns).
 */
export function startQueuePoller(options: {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  handler: SqsLambdaHandler;
  batchSize: number;
  maxConcurrency: number;
  /** The function's timeout: `getRemainingTimeInMillis` counts down from it. */
  timeoutMs: number;
  waitTimeSeconds?: number;
  log?: (line: string) => void;
}): QueuePoller {
  const log = options.log ?? (() => {});
  let running = 0;
  const consumers = Array.from({ length: options.maxConcurrency }, () => {
    const consumer = Consumer.create({
      sqs: options.sqs,
      queueUrl: options.queueUrl,
      useQueueUrlAsEndpoint: false,
      batchSize: options.batchSize,
      waitTimeSeconds: options.waitTimeSeconds ?? 1,
      pollingWaitTimeMs: 0,
      messageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      handleMessageBatch: async (messages) => {
        running += 1;
        try {
          return await invokeForBatch(options.handler, messages, options);
        } catch (error) {
          // A handler that throws fails the whole batch: the messages come back after their visibility.
          log(
            `queue poller: handler failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          return [];
        } finally {
          running -= 1;
        }
      },
    });
    consumer.on('error', (error) => log(`queue poller: ${error.message}`));
    consumer.on('processing_error', (error) => log(`queue poller: ${error.message}`));
    consumer.start();
    return consumer;
  });
  return {
    stop() {
      for (const consumer of consumers) consumer.stop({ abort: true });
    },
    inFlight: () => running,
  };
}
