import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { WEBHOOK_DELIVERY_POLICY } from '../../../contract/webhook-contract';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import { createWebhookSecretReader } from '../remotion-webhook/webhook-secret';
import { createDynamoWebhookStore } from './dynamo-webhook-store';
import { createSecretCipher, type SecretCipher } from './secret-cipher';
import { sendWebhookRequest } from './send-webhook-request';
import { createSqsWebhookQueue } from './sqs-webhook-queue';
import type { WebhookDeliveryPorts } from './webhook-ports';

/** The environment every webhook function gets from `createWebhookDelivery` (amplify/render-pipeline/webhook-delivery.ts). */
export const WEBHOOK_ENV = {
  endpointsTable: 'WEBHOOK_ENDPOINT_TABLE',
  deliveriesTable: 'WEBHOOK_DELIVERY_TABLE',
  secretsTable: 'WEBHOOK_SECRET_TABLE',
  queueUrl: 'WEBHOOK_QUEUE_URL',
  cipherKeyArn: 'WEBHOOK_CIPHER_KEY_ARN',
} as const;

const envSchema = z.object({
  [WEBHOOK_ENV.endpointsTable]: z.string().min(1, { error: 'the WebhookEndpoint table name' }),
  [WEBHOOK_ENV.deliveriesTable]: z.string().min(1, { error: 'the WebhookDelivery table name' }),
  [WEBHOOK_ENV.secretsTable]: z.string().min(1, { error: 'the WebhookSecret table name' }),
  [WEBHOOK_ENV.queueUrl]: z.url({ error: 'the URL of the webhook SQS queue' }),
  [WEBHOOK_ENV.cipherKeyArn]: z
    .string()
    .startsWith('arn:', { error: 'the ARN of the webhook secret-encryption key' })
    .optional(),
});

/**
 * The cloud's ports for the webhook core, from the function's environment: DynamoDB tables, the SQS webhook queue,
 * the AES key from Secrets Manager (read once per cold start), HTTPS-only URLs with resolved-IP pinning.
 */
export async function cloudWebhookPorts(
  log: WebhookDeliveryPorts['log'],
  { readsSecrets }: { readsSecrets: boolean },
): Promise<WebhookDeliveryPorts> {
  const env = readEnv(envSchema, process.env, {
    what: "A webhook function's environment",
    fix: FUNCTION_ENV_FIX,
  });
  if (readsSecrets && !env[WEBHOOK_ENV.cipherKeyArn])
    throw new Error(
      `${WEBHOOK_ENV.cipherKeyArn} must be the ARN of the webhook secret-encryption key, but got nothing (unset). ${FUNCTION_ENV_FIX}`,
    );
  // The fan-out never reads a signing secret, and is not allowed to read the key.
  const cipher: SecretCipher = readsSecrets
    ? createSecretCipher(
        await createWebhookSecretReader({
          secrets: new SecretsManagerClient({}),
          secretArn: env[WEBHOOK_ENV.cipherKeyArn] ?? '',
        })(),
      )
    : {
        encrypt: () => {
          throw new Error('this function holds no webhook secret key');
        },
        decrypt: () => {
          throw new Error('this function holds no webhook secret key');
        },
      };
  return {
    store: createDynamoWebhookStore({
      client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
      tables: {
        endpoints: env[WEBHOOK_ENV.endpointsTable],
        deliveries: env[WEBHOOK_ENV.deliveriesTable],
        secrets: env[WEBHOOK_ENV.secretsTable],
      },
      cipher,
    }),
    queue: createSqsWebhookQueue({
      client: new SQSClient({}),
      queueUrl: env[WEBHOOK_ENV.queueUrl],
    }),
    send: sendWebhookRequest,
    mode: 'cloud',
    policy: { ...WEBHOOK_DELIVERY_POLICY },
    now: () => new Date(),
    random: Math.random,
    newId: randomUUID,
    ...(log ? { log } : {}),
  };
}
