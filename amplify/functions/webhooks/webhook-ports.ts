import { z } from 'zod';
import type {
  WebhookDeliveryPolicy,
  WebhookDeliveryRecord,
} from '../../../contract/webhook-contract';
import type { SendWebhookRequest } from './send-webhook-request';
import type { ResolveHost, WebhookUrlMode } from './webhook-url-policy';

/** A registered endpoint as the functions see it. */
export interface WebhookEndpointRecord {
  id: string;
  /** Amplify's owner value, `<sub>::<username>`. */
  owner: string;
  url: string;
  events: string[];
  enabled: boolean;
  secretRotatedAt?: string | null;
  previousSecretExpiresAt?: string | null;
  createdAt?: string | null;
}

/** An endpoint's signing secrets, decrypted; the previous one signs too until it expires. */
export interface WebhookSecrets {
  current: string;
  previous?: string | null;
  previousExpiresAt?: string | null;
}

/** A delivery attempt as stored (the owner reads these as the delivery log). */
export type StoredWebhookDelivery = WebhookDeliveryRecord & {
  id: string;
  owner: string;
  createdAt: string;
};

/** Endpoints, their secrets and the delivery log: DynamoDB in the cloud and in local mode, memory in unit tests. */
export interface WebhookStore {
  getEndpoint(id: string): Promise<WebhookEndpointRecord | undefined>;
  listEndpointsOf(owner: string): Promise<WebhookEndpointRecord[]>;
  putEndpoint(endpoint: WebhookEndpointRecord): Promise<void>;
  deleteEndpoint(id: string): Promise<void>;
  getSecrets(endpointId: string): Promise<WebhookSecrets | undefined>;
  putSecrets(endpointId: string, secrets: WebhookSecrets): Promise<void>;
  deleteSecrets(endpointId: string): Promise<void>;
  getDelivery(id: string): Promise<StoredWebhookDelivery | undefined>;
  appendDelivery(delivery: StoredWebhookDelivery): Promise<void>;
}

/** One message on the webhook queue: one event for one endpoint, at one attempt. */
export const deliveryMessageSchema = z.object({
  endpointId: z.string().min(1),
  eventId: z.string().min(1),
  eventType: z.string().min(1),
  /** The event body, exactly as it is signed and sent on every attempt. */
  payload: z.string().min(2),
  attempt: z.number().int().min(1),
  firstAttemptAt: z.iso.datetime(),
  /** Backoffs longer than SQS's 900 s delay are chained: a message received before this goes back to wait. */
  notBefore: z.iso.datetime().optional(),
});
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

/** The webhook queue: SQS in the cloud, fauxqs in local mode. */
export interface WebhookQueue {
  enqueue(message: DeliveryMessage, delaySeconds: number): Promise<void>;
}

/** Everything the delivery core needs. */
export interface WebhookDeliveryPorts {
  store: WebhookStore;
  queue: WebhookQueue;
  send: SendWebhookRequest;
  resolveHost?: ResolveHost;
  mode: WebhookUrlMode;
  policy: WebhookDeliveryPolicy;
  now(): Date;
  /** 0 ≤ x < 1, for the jitter; injected in tests. */
  random(): number;
  newId(): string;
  log?(message: string, details?: Record<string, unknown>): void;
}
