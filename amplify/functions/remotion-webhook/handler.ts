import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { z } from 'zod';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import { receiveRemotionWebhook } from './receive-remotion-webhook';
import { createSqsJobWaker } from './sqs-job-waker';
import { createWebhookSecretReader } from './webhook-secret';

const env = readEnv(
  z.object({
    WAKE_QUEUE_URL: z.url({ error: 'the URL of the render SQS queue' }),
    REMOTION_WEBHOOK_SECRET_ARN: z
      .string()
      .startsWith('arn:', { error: 'the ARN of the Remotion webhook secret' }),
  }),
  process.env,
  { what: "The remotion-webhook function's environment", fix: FUNCTION_ENV_FIX },
);
const logger = new Logger({ serviceName: 'remotion-webhook' });
const readSecret = createWebhookSecretReader({
  secrets: new SecretsManagerClient({}),
  secretArn: env.REMOTION_WEBHOOK_SECRET_ARN,
});
const wake = createSqsJobWaker({ client: new SQSClient({}), queueUrl: env.WAKE_QUEUE_URL });

/** Function URL entry (auth NONE: Remotion cannot sign SigV4; its own signature is checked instead). */
export const handler = async (event: LambdaFunctionURLEvent): Promise<LambdaFunctionURLResult> => {
  const body =
    event.body && event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body;
  // The woken job and render, as fields of the log line, so one query follows the job through here too.
  let woken: { jobId?: string; renderId?: string } = {};
  const response = await receiveRemotionWebhook(
    { method: event.requestContext.http.method, headers: event.headers, body },
    {
      secret: await readSecret(),
      wake: async (wakeUp) => {
        woken = { jobId: wakeUp.jobId, renderId: wakeUp.renderId };
        await wake(wakeUp);
      },
    },
  );
  logger.info('Remotion webhook answered', {
    ...woken,
    statusCode: response.statusCode,
    answer: response.body,
  });
  return { ...response, headers: { 'content-type': 'application/json' } };
};
