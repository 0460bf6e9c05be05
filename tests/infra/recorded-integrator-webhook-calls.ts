import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { HttpRequest } from '@smithy/protocol-http';
import type { SQSEvent } from 'aws-lambda';
import { WEBHOOK_ENV } from '../../amplify/functions/webhooks/cloud-ports';
import { createDynamoWebhookStore } from '../../amplify/functions/webhooks/dynamo-webhook-store';
import { createSecretCipher } from '../../amplify/functions/webhooks/secret-cipher';
import { createSqsWebhookQueue } from '../../amplify/functions/webhooks/sqs-webhook-queue';
import type { WebhookDeliveryPorts } from '../../amplify/functions/webhooks/webhook-ports';
import {
  createEndingStreamHandler,
  createWebhookQueueHandler,
  createWebhookResolver,
} from '../../amplify/functions/webhooks/wire-webhooks';
import { createWebhookSecretReader } from '../../amplify/functions/remotion-webhook/webhook-secret';
import { WEBHOOK_DELIVERY_POLICY } from '../../contract/webhook-contract';
import {
  bodyTextOf,
  createStubTransport,
  jsonAnswer,
  md5Of,
  queueArnOfUrl,
  recordSdkCalls,
  type AwsCallRecorder,
} from '../support/aws-call-recorder';
import type { FunctionFacts, SynthesizedAccount } from '../support/template-resolver';
import { recordingWebhookSecrets } from './recorded-webhook-calls';

const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAFAKEFAKEFAKEFAKE',
  secretAccessKey: 'fake-secret-key-0000',
};
const OWNER = 'sub-1::alma';
const CALLER = { sub: 'sub-1', username: 'alma' };

/** The three webhook functions of the synthesized backend, and the Job stream's reader that fans job endings out, by their Amplify names. */
export const integratorWebhookFunctionsOf = (account: SynthesizedAccount) => {
  const named = (name: string): FunctionFacts => {
    const fn = account.functions().find((candidate) => candidate.amplifyName === name);
    if (!fn) throw new Error(`No function named ${name} (defineFunction) in the templates`);
    return fn;
  };
  return {
    api: named('webhook-api'),
    fanout: named('webhook-fanout'),
    delivery: named('webhook-delivery'),
    jobEndings: named('batch-progress'),
  };
};

/**
 * Ports as cloud-ports.ts builds them from the function's environment, over recording clients: DynamoDB answers
 * from an in-memory table set (so the real store code runs its real commands), SQS and Secrets Manager from stubs.
 */
async function recordingPortsOf(
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
  fn: FunctionFacts,
  source: string,
  readsSecrets: boolean,
): Promise<{ ports: WebhookDeliveryPorts; seed: WebhookDeliveryPorts['store'] }> {
  const env = fn.environment;
  const items = new Map<string, Record<string, unknown>>();
  const keyOf = (table: string, key: Record<string, unknown>) => `${table}|${JSON.stringify(key)}`;
  const answer = (request: HttpRequest) => {
    const operation = String(request.headers['x-amz-target']).split('.').pop();
    const input = JSON.parse(bodyTextOf(request)) as {
      TableName: string;
      Key?: Record<string, unknown>;
      Item?: Record<string, unknown>;
    };
    if (operation === 'PutItem') {
      const item = input.Item!;
      const key =
        item.endpointId && !item.url && !item.eventId
          ? { endpointId: item.endpointId }
          : { id: item.id };
      items.set(keyOf(input.TableName, key), item);
      return jsonAnswer({});
    }
    if (operation === 'GetItem') {
      const item = items.get(keyOf(input.TableName, input.Key!));
      return jsonAnswer(item ? { Item: item } : {});
    }
    if (operation === 'DeleteItem') {
      items.delete(keyOf(input.TableName, input.Key!));
      return jsonAnswer({});
    }
    if (operation === 'Query') {
      const found = [...items.entries()]
        .filter(([key]) => key.startsWith(`${input.TableName}|`))
        .map(([, item]) => item);
      return jsonAnswer({ Items: found, Count: found.length });
    }
    throw new Error(`The webhook store stub does not answer ${operation}`);
  };
  const dynamoClient = () =>
    new DynamoDBClient({
      region: account.region,
      credentials: FAKE_CREDENTIALS,
      requestHandler: createStubTransport(answer),
    });
  const dynamo = dynamoClient();
  recordSdkCalls(dynamo, recorder, {
    principal: fn.roleArn,
    service: 'dynamodb',
    source,
    resourceOf: (_, input) => {
      const table = `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${String(input.TableName)}`;
      return input.IndexName ? `${table}/index/${String(input.IndexName)}` : table;
    },
  });
  const sqs = new SQSClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport((request) => {
      const input = JSON.parse(bodyTextOf(request)) as { MessageBody: string };
      return jsonAnswer({ MessageId: randomUUID(), MD5OfMessageBody: md5Of(input.MessageBody) });
    }),
  });
  recordSdkCalls(sqs, recorder, {
    principal: fn.roleArn,
    service: 'sqs',
    source,
    resourceOf: (_, input) => queueArnOfUrl(String(input.QueueUrl)),
  });
  const keyMaterial = readsSecrets
    ? await createWebhookSecretReader({
        secrets: recordingWebhookSecrets(account, recorder, fn.roleArn, source),
        secretArn: env[WEBHOOK_ENV.cipherKeyArn] ?? '',
      })()
    : 'k'.repeat(64);
  const storeOver = (client: DynamoDBClient) =>
    createDynamoWebhookStore({
      client: DynamoDBDocumentClient.from(client),
      tables: {
        endpoints: env[WEBHOOK_ENV.endpointsTable] ?? '',
        deliveries: env[WEBHOOK_ENV.deliveriesTable] ?? '',
        secrets: env[WEBHOOK_ENV.secretsTable] ?? '',
      },
      cipher: createSecretCipher(keyMaterial),
    });
  // The seed store writes the same tables unrecorded: rows the test needs, which the function itself never writes.
  const seed = storeOver(dynamoClient());
  const ports: WebhookDeliveryPorts = {
    store: storeOver(dynamo),
    queue: createSqsWebhookQueue({ client: sqs, queueUrl: env[WEBHOOK_ENV.queueUrl] ?? '' }),
    // The receiver is not AWS: it answers 503, so the delivery also queues its retry.
    send: async () => ({ kind: 'answered', statusCode: 503, durationMs: 5 }),
    resolveHost: async () => [{ address: '93.184.216.34', family: 4 }],
    mode: 'cloud',
    policy: { ...WEBHOOK_DELIVERY_POLICY },
    now: () => new Date(),
    random: () => 0.5,
    newId: randomUUID,
  };
  return { ports, seed };
}

/**
 * The webhook functions' calls through their real adapters: the API function runs every mutation, the Job stream's
 * reader (batch-progress) one job ending and the fan-out one batch's end from stream records, the delivery one attempt
 * that fails retryably (log + next attempt).
 */
export async function recordIntegratorWebhookCalls(
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
): Promise<{
  api: FunctionFacts;
  fanout: FunctionFacts;
  delivery: FunctionFacts;
  jobEndings: FunctionFacts;
  queueArn: string;
}> {
  const fns = integratorWebhookFunctionsOf(account);
  const api = await recordingPortsOf(account, recorder, fns.api, 'webhook-api', true);
  const resolve = createWebhookResolver(api.ports);
  const identity = CALLER;
  const added = (await resolve({
    fieldName: 'addWebhookEndpoint',
    arguments: { url: 'https://hooks.example.com/render', events: ['job.succeeded'] },
    identity,
  })) as { endpointId: string };
  const endpointId = added.endpointId;
  await resolve({
    fieldName: 'updateWebhookEndpoint',
    arguments: { endpointId, enabled: true },
    identity,
  });
  await resolve({ fieldName: 'rotateWebhookSecret', arguments: { endpointId }, identity });
  await resolve({ fieldName: 'sendTestWebhookEvent', arguments: { endpointId }, identity });
  await api.seed.appendDelivery({
    id: 'delivery-1',
    owner: OWNER,
    createdAt: new Date().toISOString(),
    endpointId,
    eventId: 'evt_0123456789abcdef0123',
    eventType: 'job.succeeded',
    attempt: 1,
    outcome: 'DELIVERED',
    statusCode: 200,
    durationMs: 5,
    error: null,
    nextRetryAt: null,
    payload: '{}',
  });
  await resolve({
    fieldName: 'redeliverWebhook',
    arguments: { deliveryId: 'delivery-1' },
    identity,
  });
  await resolve({ fieldName: 'removeWebhookEndpoint', arguments: { endpointId }, identity });

  const endpoint = {
    id: 'endpoint-1',
    owner: OWNER,
    url: 'https://hooks.example.com/render',
    events: ['job.succeeded', 'batch.finished'],
    enabled: true,
  };
  const image = (status: string) =>
    marshall({ id: 'job-1', owner: OWNER, status, compositionId: 'title-card' });
  const jobEndings = await recordingPortsOf(
    account,
    recorder,
    fns.jobEndings,
    'batch-progress',
    false,
  );
  await jobEndings.seed.putEndpoint(endpoint);
  const ended = await createEndingStreamHandler(jobEndings.ports)({
    Records: [
      {
        eventName: 'MODIFY',
        dynamodb: {
          SequenceNumber: '1',
          NewImage: image('SUCCEEDED'),
          OldImage: image('RENDERING'),
        },
      },
    ],
  });
  if (ended.batchItemFailures.length > 0) throw new Error('the recorded job-ending fan-out failed');

  const fanout = await recordingPortsOf(account, recorder, fns.fanout, 'webhook-fanout', false);
  await fanout.seed.putEndpoint(endpoint);
  const batchImage = (status: string, finishedAt: string | null) =>
    marshall({
      id: 'batch-1',
      owner: OWNER,
      status,
      compositionId: 'title-card',
      rowCount: 1,
      addedRows: 1,
      succeeded: status === 'FINISHED' ? 1 : 0,
      finishedAt,
    });
  const fanned = await createEndingStreamHandler(fanout.ports)({
    Records: [
      {
        eventName: 'MODIFY',
        dynamodb: {
          SequenceNumber: '2',
          NewImage: batchImage('FINISHED', new Date().toISOString()),
          OldImage: batchImage('RUNNING', null),
        },
      },
    ],
  });
  if (fanned.batchItemFailures.length > 0) throw new Error('the recorded fan-out failed');

  const delivery = await recordingPortsOf(
    account,
    recorder,
    fns.delivery,
    'webhook-delivery',
    true,
  );
  await delivery.seed.putEndpoint({
    id: 'endpoint-1',
    owner: OWNER,
    url: 'https://hooks.example.com/render',
    events: ['job.succeeded'],
    enabled: true,
  });
  await delivery.seed.putSecrets('endpoint-1', { current: 'whsec_recorded' });
  const now = new Date().toISOString();
  const event: SQSEvent = {
    Records: [
      {
        messageId: 'm-1',
        receiptHandle: 'r-1',
        body: JSON.stringify({
          endpointId: 'endpoint-1',
          eventId: 'evt_0123456789abcdef0123',
          eventType: 'job.succeeded',
          payload: '{"id":"evt_0123456789abcdef0123"}',
          attempt: 1,
          firstAttemptAt: now,
        }),
        attributes: {} as SQSEvent['Records'][number]['attributes'],
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArnOfUrl(fns.delivery.environment[WEBHOOK_ENV.queueUrl] ?? ''),
        awsRegion: account.region,
      },
    ],
  };
  const delivered = await createWebhookQueueHandler(delivery.ports)(event);
  if (delivered.batchItemFailures.length > 0)
    throw new Error('the recorded delivery failed to run');
  return {
    ...fns,
    queueArn: queueArnOfUrl(fns.delivery.environment[WEBHOOK_ENV.queueUrl] ?? ''),
  };
}
