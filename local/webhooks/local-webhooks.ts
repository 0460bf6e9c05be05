import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FauxqsServer } from 'fauxqs';
import { createDynamoWebhookStore } from '../../amplify/functions/webhooks/dynamo-webhook-store';
import { createSecretCipher } from '../../amplify/functions/webhooks/secret-cipher';
import { sendWebhookRequest } from '../../amplify/functions/webhooks/send-webhook-request';
import { createSqsWebhookQueue } from '../../amplify/functions/webhooks/sqs-webhook-queue';
import type { WebhookDeliveryPorts } from '../../amplify/functions/webhooks/webhook-ports';
import {
  createEndingStreamHandler,
  createWebhookQueueHandler,
  createWebhookResolver,
  type EndingStreamRecord,
  type WebhookResolverEvent,
} from '../../amplify/functions/webhooks/wire-webhooks';
import {
  WEBHOOK_DELIVERY_BATCH_SIZE,
  WEBHOOK_DELIVERY_TIMEOUT_SECONDS,
  WEBHOOK_MAX_RECEIVE_COUNT,
  STREAM_SOURCE_MAX_RECORD_AGE_SECONDS,
  STREAM_SOURCE_RETRY_ATTEMPTS,
} from '../../amplify/render-pipeline/webhook-delivery';
import {
  WEBHOOK_DELIVERY_POLICY,
  type WebhookDeliveryPolicy,
} from '../../contract/webhook-contract';
import { loadOrCreateSecret } from '../outputs/signed-urls';
import {
  startJobStreamReader,
  type JobStreamReader,
  type StreamGiveUp,
} from '../pipeline/job-stream-reader';
import { startQueuePoller, type QueuePoller } from '../pipeline/queue-poller';

/** The webhook mutations of amplify/data/webhook-schema.ts, all resolved by the one webhook-api function. */
export const WEBHOOK_FIELDS = [
  'addWebhookEndpoint',
  'updateWebhookEndpoint',
  'rotateWebhookSecret',
  'sendTestWebhookEvent',
  'redeliverWebhook',
  'removeWebhookEndpoint',
] as const;

/** Local mode's webhooks: the cloud's three handlers over DynamoDB Local, fauxqs and the Batch stream (job endings come from the Job stream's one reader). */
export interface LocalWebhooks {
  /** For the AppSync simulator, by field name; "still starting" until {@link LocalWebhooks.bind}. */
  lambdaResolvers: Record<string, (event: unknown) => Promise<unknown>>;
  /** Builds the queue (with its DLQ), the fan-out's Batch stream reader and the delivery poller once the plane is up. */
  bind(ports: {
    dynamodb: DynamoDBClient;
    streams: DynamoDBStreamsClient;
    batchTableStreamArn: string;
    tableNameOf: (modelName: string) => string;
    fauxqs: Pick<FauxqsServer, 'createQueue'>;
    sqs: SQSClient;
    region: string;
  }): {
    queueUrl: string;
    deadLetterQueueUrl: string;
    /** The stream readers' on-failure destination, the cloud's `WebhookFanoutDeadLetterQueue`. */
    fanoutDeadLetterQueueUrl: string;
    /** The fan-out's handler, for job endings: the Job stream's one Lambda reader runs it (local-batches.ts). */
    fanOutEndings: (event: { Records: EndingStreamRecord[] }) => Promise<DynamoDBBatchResponse>;
    /** When the stream readers that feed the fan-out give up on a record, and where they describe it. */
    streamGiveUp: StreamGiveUp;
  };
  /** Resolves after the fan-out's Batch stream reader has read every record written so far. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Webhooks in local mode, wired like the cloud (docs/architecture.md, "Webhooks to integrators"): a Batch stream
 * reader stands in for the fan-out's event source (job endings arrive through local-batches.ts's Job stream reader), a fauxqs queue with a DLQ for the webhook queue, a poller for
 * the delivery function's event source. URLs may also be http://localhost. `policy` shortens the delivery
 * timings for tests; `npm start` keeps the product's (10 s timeout, backoff from 30 s, 24 h).
 */
export function startLocalWebhooks(options: {
  dataDir: string;
  policy?: Partial<WebhookDeliveryPolicy>;
  log?: (line: string) => void;
}): LocalWebhooks {
  const log = options.log ?? (() => {});
  let resolve: ((event: WebhookResolverEvent) => Promise<unknown>) | undefined;
  let readers: JobStreamReader[] = [];
  let poller: QueuePoller | undefined;
  const resolver = async (event: unknown) => {
    if (!resolve) throw new Error('The local stack is still starting.');
    return resolve(event as WebhookResolverEvent);
  };
  return {
    lambdaResolvers: Object.fromEntries(WEBHOOK_FIELDS.map((field) => [field, resolver])),
    bind({ dynamodb, streams, batchTableStreamArn, tableNameOf, fauxqs, sqs, region }) {
      const visibility = String(WEBHOOK_DELIVERY_TIMEOUT_SECONDS * 6);
      const dlq = fauxqs.createQueue('webhook-dlq', {
        attributes: { VisibilityTimeout: visibility },
      });
      const fanoutDlq = fauxqs.createQueue('webhook-fanout-dlq');
      const streamGiveUp: StreamGiveUp = {
        retryAttempts: STREAM_SOURCE_RETRY_ATTEMPTS,
        maxRecordAgeMs: STREAM_SOURCE_MAX_RECORD_AGE_SECONDS * 1000,
        deadLetter: async (failure) => {
          await sqs.send(
            new SendMessageCommand({
              QueueUrl: fanoutDlq.queueUrl,
              MessageBody: JSON.stringify(failure),
            }),
          );
        },
      };
      const queue = fauxqs.createQueue('webhook-queue', {
        attributes: {
          VisibilityTimeout: visibility,
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: dlq.queueArn,
            maxReceiveCount: WEBHOOK_MAX_RECEIVE_COUNT,
          }),
        },
      });
      const ports: WebhookDeliveryPorts = {
        store: createDynamoWebhookStore({
          client: DynamoDBDocumentClient.from(dynamodb),
          tables: {
            endpoints: tableNameOf('WebhookEndpoint'),
            deliveries: tableNameOf('WebhookDelivery'),
            secrets: tableNameOf('WebhookSecret'),
          },
          // The cloud keeps this key in Secrets Manager; local mode in a file beside its data.
          cipher: createSecretCipher(
            loadOrCreateSecret(`${options.dataDir}/webhook-secret-key`).toString('hex'),
          ),
        }),
        queue: createSqsWebhookQueue({ client: sqs, queueUrl: queue.queueUrl }),
        send: sendWebhookRequest,
        mode: 'local',
        policy: { ...WEBHOOK_DELIVERY_POLICY, ...options.policy },
        now: () => new Date(),
        random: Math.random,
        newId: randomUUID,
        log: (message, details) => log(`webhooks: ${message} ${JSON.stringify(details ?? {})}`),
      };
      resolve = createWebhookResolver(ports);
      const fanOut = createEndingStreamHandler(ports);
      // The fan-out's event source on the Batch stream, as in the cloud. Job endings reach the same handler through
      // the Job stream's one Lambda reader (local-batches.ts), which `bind` hands it to.
      readers = [
        startJobStreamReader({
          streams,
          streamArn: batchTableStreamArn,
          checkpointFile: `${options.dataDir}/webhook-batch-stream-checkpoint-${batchTableStreamArn.split('/').pop()}.json`,
          handlePage: (records) => fanOut({ Records: records as EndingStreamRecord[] }),
          giveUp: streamGiveUp,
          log,
        }),
      ];
      const deliver = createWebhookQueueHandler(ports);
      poller = startQueuePoller({
        sqs,
        queueUrl: queue.queueUrl,
        queueArn: queue.queueArn,
        region,
        handler: deliver,
        batchSize: WEBHOOK_DELIVERY_BATCH_SIZE,
        maxConcurrency: 2,
        timeoutMs: WEBHOOK_DELIVERY_TIMEOUT_SECONDS * 1000,
        log,
      });
      return {
        queueUrl: queue.queueUrl,
        deadLetterQueueUrl: dlq.queueUrl,
        fanoutDeadLetterQueueUrl: fanoutDlq.queueUrl,
        fanOutEndings: fanOut,
        streamGiveUp,
      };
    },
    caughtUp: async () => {
      await Promise.all(readers.map((reader) => reader.nextRound()));
    },
    async stop() {
      poller?.stop();
      await Promise.all(readers.map((reader) => reader.stop()));
    },
  };
}
