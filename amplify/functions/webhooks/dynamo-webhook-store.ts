import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { SecretCipher } from './secret-cipher';
import type { StoredWebhookDelivery, WebhookEndpointRecord, WebhookStore } from './webhook-ports';

/** The Amplify model tables behind the webhook schema (amplify/data/webhook-schema.ts). */
export interface WebhookTableNames {
  endpoints: string;
  deliveries: string;
  secrets: string;
}

/** GSI Amplify generates for `index('owner')` on WebhookEndpoint. */
export const ENDPOINTS_BY_OWNER_INDEX = 'webhookEndpointsByOwner';

const toEndpoint = (item: Record<string, unknown>): WebhookEndpointRecord => ({
  id: String(item.id),
  owner: String(item.owner ?? ''),
  url: String(item.url ?? ''),
  events: Array.isArray(item.events) ? item.events.map(String) : [],
  enabled: item.enabled === true,
  secretRotatedAt: typeof item.secretRotatedAt === 'string' ? item.secretRotatedAt : null,
  previousSecretExpiresAt:
    typeof item.previousSecretExpiresAt === 'string' ? item.previousSecretExpiresAt : null,
  createdAt: typeof item.createdAt === 'string' ? item.createdAt : null,
});

/**
 * The webhook store over DynamoDB, writing rows the way AppSync's resolvers do (`__typename`, timestamps,
 * `owner`), so the owner's generated queries read them. Secrets are sealed before they are written.
 */
export function createDynamoWebhookStore(options: {
  client: Pick<DynamoDBDocumentClient, 'send'>;
  tables: WebhookTableNames;
  cipher: SecretCipher;
}): WebhookStore {
  const { client, tables, cipher } = options;
  const nowIso = () => new Date().toISOString();
  return {
    async getEndpoint(id) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tables.endpoints, Key: { id }, ConsistentRead: true }),
      );
      return Item ? toEndpoint(Item) : undefined;
    },
    async listEndpointsOf(owner) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tables.endpoints,
          IndexName: ENDPOINTS_BY_OWNER_INDEX,
          KeyConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
      return Items.map(toEndpoint);
    },
    async putEndpoint(endpoint) {
      const now = nowIso();
      await client.send(
        new PutCommand({
          TableName: tables.endpoints,
          Item: {
            ...endpoint,
            __typename: 'WebhookEndpoint',
            createdAt: endpoint.createdAt ?? now,
            updatedAt: now,
          },
        }),
      );
    },
    async deleteEndpoint(id) {
      await client.send(new DeleteCommand({ TableName: tables.endpoints, Key: { id } }));
    },
    async getSecrets(endpointId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tables.secrets, Key: { endpointId }, ConsistentRead: true }),
      );
      if (!Item) return undefined;
      return {
        current: cipher.decrypt(String(Item.current)),
        previous: typeof Item.previous === 'string' ? cipher.decrypt(Item.previous) : null,
        previousExpiresAt:
          typeof Item.previousExpiresAt === 'string' ? Item.previousExpiresAt : null,
      };
    },
    async putSecrets(endpointId, secrets) {
      const now = nowIso();
      await client.send(
        new PutCommand({
          TableName: tables.secrets,
          Item: {
            endpointId,
            __typename: 'WebhookSecret',
            current: cipher.encrypt(secrets.current),
            ...(secrets.previous
              ? {
                  previous: cipher.encrypt(secrets.previous),
                  previousExpiresAt: secrets.previousExpiresAt,
                }
              : {}),
            createdAt: now,
            updatedAt: now,
          },
        }),
      );
    },
    async deleteSecrets(endpointId) {
      await client.send(new DeleteCommand({ TableName: tables.secrets, Key: { endpointId } }));
    },
    async getDelivery(id) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tables.deliveries, Key: { id }, ConsistentRead: true }),
      );
      return Item as StoredWebhookDelivery | undefined;
    },
    async appendDelivery(delivery) {
      // Nulls are left out: AppSync stores an unset optional field as absent.
      const item = Object.fromEntries(
        Object.entries(delivery).filter(([, value]) => value !== null),
      );
      await client.send(
        new PutCommand({
          TableName: tables.deliveries,
          Item: { ...item, __typename: 'WebhookDelivery', updatedAt: delivery.createdAt },
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    },
  };
}
