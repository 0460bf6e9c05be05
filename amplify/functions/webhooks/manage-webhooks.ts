import { randomBytes, randomUUID } from 'node:crypto';
import {
  describeIssues,
  MAX_WEBHOOK_ENDPOINTS_PER_USER,
  WEBHOOK_TEST_EVENT_TYPE,
  webhookEndpointInputSchema,
  webhookEndpointUpdateSchema,
  type WebhookEvent,
} from '../../../contract/webhook-contract';
import { ownerSubOf } from '../../../contract/job-contract';
import type { WebhookDeliveryPorts, WebhookEndpointRecord } from './webhook-ports';
import { checkWebhookUrl } from './webhook-url-policy';

/** A refusal of the caller's request: its message says what to do, and it is shown as is. */
export class WebhookRequestError extends Error {
  override readonly name = 'WebhookRequestError';
}

/** The signed-in caller, from the resolver event's Cognito identity. */
export interface WebhookCaller {
  sub: string;
  username: string;
}

type ManagePorts = Pick<WebhookDeliveryPorts, 'store' | 'queue' | 'now' | 'mode' | 'policy'>;

/** A new signing secret: 32 random bytes, shown once. */
export const generateWebhookSecret = (): string => `whsec_${randomBytes(32).toString('base64url')}`;

const NOT_FOUND = 'No such webhook endpoint. Reload the list: it may have been removed.';

async function ownEndpoint(
  endpointId: string,
  caller: WebhookCaller,
  ports: ManagePorts,
): Promise<WebhookEndpointRecord> {
  const endpoint = await ports.store.getEndpoint(endpointId);
  // Another user's endpoint is reported exactly like a missing one.
  if (!endpoint || ownerSubOf(endpoint.owner) !== caller.sub)
    throw new WebhookRequestError(NOT_FOUND);
  return endpoint;
}

/** `addWebhookEndpoint`: validates, checks the URL policy, generates the secret and returns it (the only time). */
export async function addWebhookEndpoint(
  input: unknown,
  caller: WebhookCaller,
  ports: ManagePorts,
): Promise<{ endpointId: string; secret: string }> {
  const parsed = webhookEndpointInputSchema.safeParse(input);
  if (!parsed.success) throw new WebhookRequestError(describeIssues(parsed.error));
  try {
    checkWebhookUrl(parsed.data.url, ports.mode);
  } catch (error) {
    throw new WebhookRequestError((error as Error).message);
  }
  const owner = `${caller.sub}::${caller.username}`;
  const existing = await ports.store.listEndpointsOf(owner);
  if (existing.length >= MAX_WEBHOOK_ENDPOINTS_PER_USER)
    throw new WebhookRequestError(
      `You can register at most ${MAX_WEBHOOK_ENDPOINTS_PER_USER} webhook endpoints; remove one first.`,
    );
  const endpointId = randomUUID();
  const secret = generateWebhookSecret();
  const now = ports.now().toISOString();
  // The secret first: an endpoint without one would never deliver.
  await ports.store.putSecrets(endpointId, { current: secret });
  await ports.store.putEndpoint({
    id: endpointId,
    owner,
    url: parsed.data.url,
    events: parsed.data.events,
    enabled: parsed.data.enabled,
    secretRotatedAt: now,
    createdAt: now,
  });
  return { endpointId, secret };
}

/** `updateWebhookEndpoint`: the owner changes the events an endpoint receives and whether it is enabled, nothing else. */
export async function updateWebhookEndpoint(
  endpointId: string,
  input: unknown,
  caller: WebhookCaller,
  ports: ManagePorts,
): Promise<string> {
  const parsed = webhookEndpointUpdateSchema.safeParse(input);
  if (!parsed.success) throw new WebhookRequestError(describeIssues(parsed.error));
  const endpoint = await ownEndpoint(endpointId, caller, ports);
  await ports.store.putEndpoint({
    ...endpoint,
    ...(parsed.data.events ? { events: parsed.data.events } : {}),
    ...(parsed.data.enabled !== undefined ? { enabled: parsed.data.enabled } : {}),
  });
  return endpointId;
}

/** `rotateWebhookSecret`: a new secret; the old one keeps signing (a second `v1`) for the grace period. */
export async function rotateWebhookSecret(
  endpointId: string,
  caller: WebhookCaller,
  ports: ManagePorts,
): Promise<{ endpointId: string; secret: string }> {
  const endpoint = await ownEndpoint(endpointId, caller, ports);
  const old = await ports.store.getSecrets(endpointId);
  const secret = generateWebhookSecret();
  const now = ports.now();
  const previousExpiresAt = new Date(now.getTime() + ports.policy.rotationGraceMs).toISOString();
  await ports.store.putSecrets(endpointId, {
    current: secret,
    ...(old ? { previous: old.current, previousExpiresAt } : {}),
  });
  await ports.store.putEndpoint({
    ...endpoint,
    secretRotatedAt: now.toISOString(),
    previousSecretExpiresAt: previousExpiresAt,
  });
  return { endpointId, secret };
}

/** `sendTestWebhookEvent`: queues a `webhook.test` event for this endpoint, enabled or not subscribed. */
export async function sendTestWebhookEvent(
  endpointId: string,
  caller: WebhookCaller,
  ports: ManagePorts,
): Promise<{ endpointId: string; eventId: string }> {
  await ownEndpoint(endpointId, caller, ports);
  const now = ports.now().toISOString();
  const event: WebhookEvent = {
    id: `evt_${randomUUID()}`,
    type: WEBHOOK_TEST_EVENT_TYPE,
    createdAt: now,
    data: { endpointId, message: 'A test event from Render Studio.' },
  };
  await ports.queue.enqueue(
    {
      endpointId,
      eventId: event.id,
      eventType: event.type,
      payload: JSON.stringify(event),
      attempt: 1,
      firstAttemptAt: now,
    },
    0,
  );
  return { endpointId, eventId: event.id };
}

/** `redeliverWebhook`: sends a logged event again, same id and body, as a fresh series of attempts. */
export async function redeliverWebhook(
  deliveryId: string,
  caller: WebhookCaller,
  ports: ManagePorts,
): Promise<{ endpointId: string; eventId: string }> {
  const delivery = await ports.store.getDelivery(deliveryId);
  if (!delivery || ownerSubOf(delivery.owner) !== caller.sub)
    throw new WebhookRequestError('No such delivery. Reload the delivery log.');
  await ownEndpoint(delivery.endpointId, caller, ports);
  await ports.queue.enqueue(
    {
      endpointId: delivery.endpointId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      payload: delivery.payload,
      attempt: 1,
      firstAttemptAt: ports.now().toISOString(),
    },
    0,
  );
  return { endpointId: delivery.endpointId, eventId: delivery.eventId };
}

/** `removeWebhookEndpoint`: the endpoint and its secrets; queued deliveries to it are then dropped. */
export async function removeWebhookEndpoint(
  endpointId: string,
  caller: WebhookCaller,
  ports: ManagePorts,
): Promise<string> {
  await ownEndpoint(endpointId, caller, ports);
  await ports.store.deleteEndpoint(endpointId);
  await ports.store.deleteSecrets(endpointId);
  return endpointId;
}
