import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { cloudWebhookPorts } from './cloud-ports';
import { createWebhookQueueHandler } from './wire-webhooks';

const logger = new Logger({ serviceName: 'webhook-delivery' });
let handle: ((event: SQSEvent) => Promise<SQSBatchResponse>) | undefined;

/** The webhook queue's event source: one attempt per message, partial batch failures reported. */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  handle ??= createWebhookQueueHandler(
    await cloudWebhookPorts((message, details) => logger.info(message, details ?? {}), {
      readsSecrets: true,
    }),
  );
  return await handle(event);
};
