import type { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FunctionUrl, FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';
import type { RenderQueues } from './render-queue';

/** Where Remotion calls when a render ends, and the secret it signs with. */
export interface RemotionWebhookEndpoint {
  url: string;
  secret: Secret;
}

/**
 * The endpoint Remotion's webhook calls when a render ends (docs/architecture.md, "Completion from Remotion's
 * webhook"): the remotion-webhook function behind a function URL. Its auth is NONE because Remotion cannot sign
 * SigV4; every call must carry Remotion's HMAC signature with a generated secret, checked before anything happens.
 * The function may only read that secret and send wake-ups to the wake-up queue.
 */
export const createRemotionWebhookEndpoint = (
  stack: Stack,
  { webhook, queues }: { webhook: AmplifyFunctionResource; queues: RenderQueues },
): RemotionWebhookEndpoint => {
  const secret = new Secret(stack, 'RemotionWebhookSecret', {
    description:
      "Signs Remotion's render-finished webhook calls (HMAC-SHA512); read by the render worker and the remotion-webhook function.",
    generateSecretString: { passwordLength: 64, excludePunctuation: true },
  });
  const lambda = webhook.resources.lambda;
  const functionUrl = new FunctionUrl(stack, 'RemotionWebhookUrl', {
    function: lambda,
    authType: FunctionUrlAuthType.NONE,
  });
  webhook.addEnvironment('WAKE_QUEUE_URL', queues.wakeQueue.queueUrl);
  webhook.addEnvironment('REMOTION_WEBHOOK_SECRET_ARN', secret.secretArn);
  // Least privilege: the two calls waking needs, on the one secret and the one queue.
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretArn],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queues.wakeQueue.queueArn] }),
  );
  return { url: functionUrl.url, secret };
};
