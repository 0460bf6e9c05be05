import { generateClient } from 'aws-amplify/data';
import type { Schema } from '../../../../amplify/data/resource';
import { dataOf } from '../../../lib/graphql-result';

/** A registered endpoint as its owner reads it (never its secret). */
export type WebhookEndpoint = Pick<
  Schema['WebhookEndpoint']['type'],
  'id' | 'url' | 'events' | 'enabled' | 'createdAt' | 'secretRotatedAt' | 'previousSecretExpiresAt'
>;
/** One attempt in an endpoint's delivery log. */
export type WebhookDelivery = Pick<
  Schema['WebhookDelivery']['type'],
  | 'id'
  | 'eventId'
  | 'eventType'
  | 'attempt'
  | 'outcome'
  | 'statusCode'
  | 'durationMs'
  | 'error'
  | 'nextRetryAt'
  | 'createdAt'
>;

/** What the Webhooks panel asks of the backend; a fake stands in for it in component tests. */
export interface WebhooksApi {
  listEndpoints(): Promise<WebhookEndpoint[]>;
  /** Registers an endpoint; resolves with its secret, which is never shown again. */
  addEndpoint(input: {
    url: string;
    events: string[];
    enabled: boolean;
  }): Promise<{ endpointId: string; secret: string }>;
  updateEndpoint(
    endpointId: string,
    change: { events?: string[]; enabled?: boolean },
  ): Promise<void>;
  rotateSecret(endpointId: string): Promise<{ endpointId: string; secret: string }>;
  removeEndpoint(endpointId: string): Promise<void>;
  sendTestEvent(endpointId: string): Promise<{ eventId: string }>;
  redeliver(deliveryId: string): Promise<{ eventId: string }>;
  /** The endpoint's delivery log, newest first. */
  listDeliveries(endpointId: string): Promise<WebhookDelivery[]>;
}

/** {@link WebhooksApi} over the Amplify data client (AppSync in the cloud, the simulator in local mode). */
export function createAmplifyWebhooksApi(client = generateClient<Schema>()): WebhooksApi {
  return {
    async listEndpoints() {
      const endpoints: WebhookEndpoint[] = [];
      let nextToken: string | null | undefined;
      do {
        const page = await client.models.WebhookEndpoint.list({
          selectionSet: [
            'id',
            'url',
            'events',
            'enabled',
            'createdAt',
            'secretRotatedAt',
            'previousSecretExpiresAt',
          ],
          ...(nextToken ? { nextToken } : {}),
        });
        endpoints.push(...(dataOf(page, 'Listing webhook endpoints') as WebhookEndpoint[]));
        nextToken = page.nextToken;
      } while (nextToken);
      return endpoints.sort((a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? ''));
    },
    addEndpoint: async (input) =>
      dataOf(await client.mutations.addWebhookEndpoint(input), 'Adding the endpoint'),
    async updateEndpoint(endpointId, change) {
      dataOf(
        await client.mutations.updateWebhookEndpoint({ endpointId, ...change }),
        'Updating the endpoint',
      );
    },
    rotateSecret: async (endpointId) =>
      dataOf(await client.mutations.rotateWebhookSecret({ endpointId }), 'Rotating the secret'),
    async removeEndpoint(endpointId) {
      dataOf(await client.mutations.removeWebhookEndpoint({ endpointId }), 'Removing the endpoint');
    },
    sendTestEvent: async (endpointId) =>
      dataOf(await client.mutations.sendTestWebhookEvent({ endpointId }), 'Sending a test event'),
    redeliver: async (deliveryId) =>
      dataOf(await client.mutations.redeliverWebhook({ deliveryId }), 'Redelivering'),
    async listDeliveries(endpointId) {
      const page = await client.models.WebhookDelivery.listWebhookDeliveriesByEndpoint(
        { endpointId },
        {
          sortDirection: 'DESC',
          limit: 50,
          selectionSet: [
            'id',
            'eventId',
            'eventType',
            'attempt',
            'outcome',
            'statusCode',
            'durationMs',
            'error',
            'nextRetryAt',
            'createdAt',
          ],
        },
      );
      return dataOf(page, 'Reading the delivery log') as WebhookDelivery[];
    },
  };
}
