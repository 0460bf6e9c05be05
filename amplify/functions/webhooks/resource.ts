import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';

/*
 * The three webhook functions (docs/architecture.md, "Webhooks to integrators"), each with only its own grants,
 * set by `createWebhookDelivery` (amplify/render-pipeline/webhook-delivery.ts). All in the data stack's group,
 * beside the tables, the Batch stream and the webhook queue they use. None is in the render path.
 */

/** Resolves the webhook mutations (add, update, rotate, send a test event, redeliver, remove). */
export const webhookApi = defineFunction({
  name: 'webhook-api',
  entry: './api-handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 10,
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});

/**
 * Reads batches' ends from the Batch table's stream and queues one delivery per subscribed endpoint. Job endings
 * are queued by the same code in the Job stream's one Lambda reader, the batch-progress function.
 */
export const webhookFanout = defineFunction({
  name: 'webhook-fanout',
  entry: './fanout-handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 30,
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});

/** Sends one attempt per queued delivery, logs it, and queues the next attempt of a retryable failure. */
export const webhookDelivery = defineFunction({
  name: 'webhook-delivery',
  entry: './delivery-handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  // A batch of WEBHOOK_DELIVERY_BATCH_SIZE attempts, each at most the 10 s receiver timeout plus a few writes.
  timeoutSeconds: 90,
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});
