import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';

/**
 * Receives Remotion's webhook when a render ends and wakes the job's tracking (a message on the wake-up queue).
 * In the data stack's group, beside the queue it sends to. Its URL, secret and grants are set by
 * `createRemotionWebhookEndpoint` (amplify/render-pipeline/remotion-webhook-endpoint.ts).
 */
export const remotionWebhook = defineFunction({
  name: 'remotion-webhook',
  entry: './handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 10,
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});
