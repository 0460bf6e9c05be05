import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { RowQueue } from './batch-ports';

const SQS_BATCH_LIMIT = 10;

/** The render queue for retried rows: `{ jobId }` messages, ten per SendMessageBatch, failed entries sent again. */
export const createSqsRowQueue = (client: Pick<SQSClient, 'send'>, queueUrl: string): RowQueue => ({
  async enqueue(jobIds) {
    for (let start = 0; start < jobIds.length; start += SQS_BATCH_LIMIT) {
      let entries = jobIds
        .slice(start, start + SQS_BATCH_LIMIT)
        .map((jobId, index) => ({ Id: String(index), MessageBody: JSON.stringify({ jobId }) }));
      for (let round = 0; entries.length > 0; round += 1) {
        if (round >= 5)
          throw new Error(`Could not enqueue ${entries.length} retried rows after 5 attempts.`);
        const { Failed = [] } = await client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
        );
        const failed = new Set(Failed.map((entry) => entry.Id));
        entries = entries.filter((entry) => failed.has(entry.Id));
      }
    }
  },
});
