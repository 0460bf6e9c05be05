import { createHash } from 'node:crypto';
import {
  JOB_EVENT_TYPE_OF_STATUS,
  parseJobMetadata,
  type WebhookEvent,
} from '../../../contract/webhook-contract';
import type { WebhookDeliveryPorts } from './webhook-ports';

/** A Job row as a stream image holds it, unmarshalled. */
export type JobImage = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const number = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** The same job ending always gets the same id, so a stream record read twice is one event to a receiver. */
export const jobEventIdOf = (jobId: string, status: string): string =>
  `evt_${createHash('sha256').update(`${jobId}:${status}`).digest('hex').slice(0, 32)}`;

/**
 * The event a stream record announces, if it is a job's ending (a MODIFY into SUCCEEDED, FAILED or CANCELLED
 * from any other state), with the job's owner. Metadata that is not a JSON object of at most 2 KB is not
 * echoed (the studio refuses it before create; this is the server's check).
 */
export function jobEndingEventOf(
  newImage: JobImage | undefined,
  oldImage: JobImage | undefined,
  now: Date,
): { owner: string; event: WebhookEvent; metadataError?: string } | undefined {
  const status = text(newImage?.status);
  if (!newImage || !status || !(status in JOB_EVENT_TYPE_OF_STATUS)) return undefined;
  if (text(oldImage?.status) === status) return undefined;
  const id = text(newImage.id);
  const owner = text(newImage.owner);
  if (!id || !owner) return undefined;
  const metadata = parseJobMetadata(newImage.metadata);
  const type = JOB_EVENT_TYPE_OF_STATUS[status as keyof typeof JOB_EVENT_TYPE_OF_STATUS];
  return {
    owner,
    event: {
      id: jobEventIdOf(id, status),
      type,
      createdAt: now.toISOString(),
      data: {
        id,
        status: status as 'SUCCEEDED' | 'FAILED' | 'CANCELLED',
        compositionId: text(newImage.compositionId) ?? '',
        title: text(newImage.title),
        errorMessage: text(newImage.errorMessage),
        outputSizeBytes: number(newImage.outputSizeBytes),
        costUsd: number(newImage.costUsd),
        createdAt: text(newImage.createdAt),
        finishedAt: text(newImage.finishedAt),
        metadata: metadata.ok ? metadata.metadata : null,
      },
    },
    ...(metadata.ok ? {} : { metadataError: metadata.message }),
  };
}

/** Queues the event once for each of the owner's enabled endpoints subscribed to its type; returns how many. */
export async function fanOutEvent(
  owner: string,
  event: WebhookEvent,
  ports: Pick<WebhookDeliveryPorts, 'store' | 'queue' | 'now'>,
): Promise<number> {
  const endpoints = (await ports.store.listEndpointsOf(owner)).filter(
    (endpoint) => endpoint.enabled && endpoint.events.includes(event.type),
  );
  const payload = JSON.stringify(event);
  const firstAttemptAt = ports.now().toISOString();
  // One send per endpoint (at most MAX_WEBHOOK_ENDPOINTS_PER_USER), all at once: a page of endings stays quick.
  await Promise.all(
    endpoints.map((endpoint) =>
      ports.queue.enqueue(
        {
          endpointId: endpoint.id,
          eventId: event.id,
          eventType: event.type,
          payload,
          attempt: 1,
          firstAttemptAt,
        },
        0,
      ),
    ),
  );
  return endpoints.length;
}
