import { Logger } from '@aws-lambda-powertools/logger';
import { cloudWebhookPorts } from './cloud-ports';
import { WebhookRequestError } from './manage-webhooks';
import { createWebhookResolver, type WebhookResolverEvent } from './wire-webhooks';

const logger = new Logger({ serviceName: 'webhook-api' });
let resolve: ((event: WebhookResolverEvent) => Promise<unknown>) | undefined;

/** AppSync Lambda resolver of the webhook mutations: one JSON log line per call, never the secret. */
export const handler = async (event: WebhookResolverEvent): Promise<unknown> => {
  const fields = { field: event.fieldName ?? event.info?.fieldName, sub: event.identity?.sub };
  try {
    resolve ??= createWebhookResolver(
      await cloudWebhookPorts((message, details) => logger.info(message, details ?? {}), {
        readsSecrets: true,
      }),
    );
    const result = await resolve(event);
    logger.info('webhook mutation done', fields);
    return result;
  } catch (error) {
    if (error instanceof WebhookRequestError)
      logger.warn('webhook mutation refused', { ...fields, reason: error.message });
    else logger.error('webhook mutation failed', { ...fields, error });
    throw error;
  }
};
