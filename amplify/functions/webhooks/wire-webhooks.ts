import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeIssues } from '../../../contract/webhook-contract';
import { batchEndingEventOf, isBatchImage } from './batch-ending-events';
import { deliverWebhook } from './deliver-webhook';
import { fanOutEvent, jobEndingEventOf, type JobImage } from './job-ending-events';
import {
  addWebhookEndpoint,
  redeliverWebhook,
  removeWebhookEndpoint,
  rotateWebhookSecret,
  sendTestWebhookEvent,
  updateWebhookEndpoint,
  type WebhookCaller,
} from './manage-webhooks';
import { deliveryMessageSchema, type WebhookDeliveryPorts } from './webhook-ports';

/** A Lambda resolver's event for the webhook mutations (the fields Amplify's request template sends). */
export interface WebhookResolverEvent {
  fieldName?: string;
  info?: { fieldName?: string };
  arguments: Record<string, unknown>;
  identity?: { sub?: string; username?: string } | null;
}

const idArgument = (args: Record<string, unknown>, name: string): string => {
  const value = args[name];
  if (typeof value !== 'string' || value.length === 0)
    throw new Error(`${name} must be an id, but got ${JSON.stringify(value)}`);
  return value;
};

/** The `webhookApi` resolver: one function for every webhook mutation, dispatched by field name. */
export function createWebhookResolver(ports: WebhookDeliveryPorts) {
  return async (event: WebhookResolverEvent): Promise<unknown> => {
    const sub = event.identity?.sub;
    const username = event.identity?.username;
    if (!sub || !username)
      throw new Error('Sign in first: webhook endpoints belong to a signed-in user.');
    const caller: WebhookCaller = { sub, username };
    const args = event.arguments;
    switch (event.fieldName ?? event.info?.fieldName) {
      case 'addWebhookEndpoint':
        return await addWebhookEndpoint(
          {
            url: args.url,
            events: args.events,
            ...(typeof args.enabled === 'boolean' ? { enabled: args.enabled } : {}),
          },
          caller,
          ports,
        );
      case 'updateWebhookEndpoint':
        return await updateWebhookEndpoint(
          idArgument(args, 'endpointId'),
          Object.fromEntries(
            Object.entries({ events: args.events, enabled: args.enabled }).filter(
              ([, value]) => value !== undefined && value !== null,
            ),
          ),
          caller,
          ports,
        );
      case 'rotateWebhookSecret':
        return await rotateWebhookSecret(idArgument(args, 'endpointId'), caller, ports);
      case 'sendTestWebhookEvent':
        return await sendTestWebhookEvent(idArgument(args, 'endpointId'), caller, ports);
      case 'redeliverWebhook':
        return await redeliverWebhook(idArgument(args, 'deliveryId'), caller, ports);
      case 'removeWebhookEndpoint':
        return await removeWebhookEndpoint(idArgument(args, 'endpointId'), caller, ports);
      default:
        throw new Error(
          `webhookApi resolves no field ${JSON.stringify(event.fieldName ?? event.info?.fieldName)}`,
        );
    }
  };
}

/** The webhook queue's handler: one attempt per message; a message whose attempt threw is reported, not lost. */
export function createWebhookQueueHandler(ports: WebhookDeliveryPorts) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      let body: unknown;
      try {
        body = JSON.parse(record.body) as unknown;
      } catch {
        body = undefined;
      }
      const message = deliveryMessageSchema.safeParse(body);
      if (!message.success) {
        // A malformed message can never succeed: logged and dropped, not retried into the DLQ.
        ports.log?.('webhook message dropped', {
          messageId: record.messageId,
          problem: describeIssues(message.error),
        });
        continue;
      }
      try {
        await deliverWebhook(message.data, ports);
      } catch (error) {
        ports.log?.('webhook attempt failed to run', {
          messageId: record.messageId,
          error: String(error),
        });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

/** A stream record of the Job or the Batch table, as Lambda's DynamoDB event source and the local stream reader deliver it. */
export interface EndingStreamRecord {
  eventName?: string;
  dynamodb?: {
    SequenceNumber?: string;
    NewImage?: Record<string, unknown>;
    OldImage?: Record<string, unknown>;
  };
}

const imageOf = (image: Record<string, unknown> | undefined): JobImage | undefined =>
  image ? unmarshall(image as Record<string, AttributeValue>) : undefined;

/** Turns one Job or Batch stream record into queued deliveries, if it is a job's ending or a batch's end. */
export async function fanOutStreamRecord(
  record: EndingStreamRecord,
  ports: WebhookDeliveryPorts,
): Promise<number> {
  if (record.eventName !== 'MODIFY') return 0;
  const newImage = imageOf(record.dynamodb?.NewImage);
  const oldImage = imageOf(record.dynamodb?.OldImage);
  const ending = isBatchImage(newImage)
    ? batchEndingEventOf(newImage, oldImage, ports.now())
    : jobEndingEventOf(newImage, oldImage, ports.now());
  if (!ending) return 0;
  if (ending.metadataError)
    ports.log?.('metadata not echoed', {
      eventId: ending.event.id,
      problem: ending.metadataError,
    });
  return await fanOutEvent(ending.owner, ending.event, ports);
}

/**
 * The fan-out's handler, fed by the Batch stream (filtered to ended batches) and, inside the Job stream's one Lambda
 * reader (job-stream-handler.ts), by Job records: partial failures by sequence number.
 */
export function createEndingStreamHandler(ports: WebhookDeliveryPorts) {
  return async (event: { Records: EndingStreamRecord[] }): Promise<DynamoDBBatchResponse> => {
    // One read of an owner's endpoints per invocation: a batch's rows end by the hundred, all of one owner.
    const endpointsOf = new Map<
      string,
      ReturnType<WebhookDeliveryPorts['store']['listEndpointsOf']>
    >();
    const store: WebhookDeliveryPorts['store'] = {
      ...ports.store,
      listEndpointsOf: (owner) => {
        // A failed read ends the invocation at that record (below); Lambda's retry reads again.
        const read = endpointsOf.get(owner) ?? ports.store.listEndpointsOf(owner);
        endpointsOf.set(owner, read);
        return read;
      },
    };
    const invocationPorts = { ...ports, store };
    for (const record of event.Records) {
      try {
        await fanOutStreamRecord(record, invocationPorts);
      } catch (error) {
        ports.log?.('webhook fan-out failed', { error: String(error) });
        // Lambda retries from the first failed record on; the ones before it are done.
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
}
