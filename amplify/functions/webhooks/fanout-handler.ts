import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { cloudWebhookPorts } from './cloud-ports';
import { createEndingStreamHandler, type EndingStreamRecord } from './wire-webhooks';

const logger = new Logger({ serviceName: 'webhook-fanout' });
let handle:
  ((event: { Records: EndingStreamRecord[] }) => Promise<DynamoDBBatchResponse>) | undefined;

/** The Batch stream's event source (filtered to ends): queues deliveries, never sends any itself. */
export const handler = async (event: {
  Records: EndingStreamRecord[];
}): Promise<DynamoDBBatchResponse> => {
  handle ??= createEndingStreamHandler(
    await cloudWebhookPorts((message, details) => logger.info(message, details ?? {}), {
      readsSecrets: false,
    }),
  );
  return await handle(event);
};
