import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { cloudWebhookPorts } from './cloud-ports';
import { createJobStreamHandler, type JobStreamRecord } from './wire-webhooks';

const logger = new Logger({ serviceName: 'webhook-fanout' });
let handle: ((event: { Records: JobStreamRecord[] }) => Promise<DynamoDBBatchResponse>) | undefined;

/** The Job stream's event source (filtered to job endings): queues deliveries, never sends any itself. */
export const handler = async (event: {
  Records: JobStreamRecord[];
}): Promise<DynamoDBBatchResponse> => {
  handle ??= createJobStreamHandler(
    await cloudWebhookPorts((message, details) => logger.info(message, details ?? {}), {
      readsSecrets: false,
    }),
  );
  return await handle(event);
};
