import { createHmac } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { receiveRemotionWebhook } from '../../amplify/functions/remotion-webhook/receive-remotion-webhook';
import { createSqsJobWaker } from '../../amplify/functions/remotion-webhook/sqs-job-waker';
import { createWebhookSecretReader } from '../../amplify/functions/remotion-webhook/webhook-secret';
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

const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAFAKEFAKEFAKEFAKE',
  secretAccessKey: 'fake-secret-key-0000',
};
const WEBHOOK_SECRET = 'w'.repeat(64);

/** A Secrets Manager client answering `WEBHOOK_SECRET`, recording each call as `principal`'s. */
export const recordingWebhookSecrets = (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
  principal: string,
  source: string,
) => {
  const secrets = new SecretsManagerClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport(() =>
      jsonAnswer({ Name: 'webhook', SecretString: WEBHOOK_SECRET }),
    ),
  });
  recordSdkCalls(secrets, recorder, {
    principal,
    service: 'secretsmanager',
    source,
    resourceOf: (_, input) => String(input.SecretId),
  });
  return secrets;
};

/**
 * The remotion-webhook function's calls, through its real adapters: the secret read and the wake-up sent to the
 * wake-up queue for a validly signed `success` payload.
 */
export const recordRemotionWebhookCalls = async (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
): Promise<{ fn: FunctionFacts; queueArn: string }> => {
  const fn = account.functionWithEnvironment('WAKE_QUEUE_URL');
  const queueUrl = fn.environment.WAKE_QUEUE_URL ?? '';
  const readSecret = createWebhookSecretReader({
    secrets: recordingWebhookSecrets(account, recorder, fn.roleArn, 'remotion-webhook secret'),
    secretArn: fn.environment.REMOTION_WEBHOOK_SECRET_ARN ?? '',
  });
  const sqs = new SQSClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport((request) => {
      const input = JSON.parse(bodyTextOf(request)) as { MessageBody: string };
      return jsonAnswer({ MessageId: 'message-1', MD5OfMessageBody: md5Of(input.MessageBody) });
    }),
  });
  recordSdkCalls(sqs, recorder, {
    principal: fn.roleArn,
    service: 'sqs',
    source: 'remotion-webhook wake-up',
    resourceOf: (_, input) => queueArnOfUrl(String(input.QueueUrl)),
  });
  const body = JSON.stringify({
    type: 'success',
    renderId: 'render-1',
    customData: { jobId: 'job-1' },
  });
  const signature = `sha512=${createHmac('sha512', WEBHOOK_SECRET).update(body).digest('hex')}`;
  const answer = await receiveRemotionWebhook(
    { method: 'POST', headers: { 'x-remotion-signature': signature }, body },
    { secret: await readSecret(), wake: createSqsJobWaker({ client: sqs, queueUrl }) },
  );
  if (answer.statusCode !== 202)
    throw new Error(`The webhook should wake the job, but answered ${JSON.stringify(answer)}`);
  return { fn, queueArn: queueArnOfUrl(queueUrl) };
};
