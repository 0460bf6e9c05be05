import { Duration, type Stack } from 'aws-cdk-lib';
import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { SpendBudgets } from '../../contract/spend-budget';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';
import type { PipelineConfig } from './config';
import type { RenderQueues } from './render-queue';
import { spendEnvironmentOf } from './spend-config';

/**
 * The dead-letter archive: the worker ends a dead-lettered job FAILED, then keeps its message here (nothing consumes
 * it) until an admin redrives or discards it from the Operations view, or 14 days pass.
 */
export const createDeadLetterArchive = (stack: Stack): Queue =>
  new Queue(stack, 'RenderDeadLetterArchive', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    visibilityTimeout: Duration.seconds(30),
  });

/** The worker's part: budgets to hold and the archive to keep dead letters in (send only). */
export const configureWorkerSpendAndArchive = (
  worker: AmplifyFunctionResource,
  targets: { archive: Queue; budgets: SpendBudgets },
): void => {
  for (const [name, value] of Object.entries(spendEnvironmentOf(targets.budgets)))
    worker.addEnvironment(name, value);
  worker.addEnvironment('DEAD_LETTER_ARCHIVE_URL', targets.archive.queueUrl);
  targets.archive.grantSendMessages(worker.resources.lambda);
};

/**
 * The operations function's environment and exactly its permissions: queue counts, the archive's messages, a send to
 * the render queue (a redrive), and AdminCreateUser on this user pool (an invitation). Its data API access (IAM) comes
 * from `allow.resource(operations)` in the data schema.
 */
export const configureOperationsFunction = (
  fn: AmplifyFunctionResource,
  targets: {
    queues: RenderQueues;
    archive: Queue;
    userPool: IUserPool;
    config: PipelineConfig;
    budgets: SpendBudgets;
  },
): void => {
  const { queue, deadLetterQueue } = targets.queues;
  const environment = {
    RENDER_QUEUE_URL: queue.queueUrl,
    RENDER_DLQ_URL: deadLetterQueue.queueUrl,
    DEAD_LETTER_ARCHIVE_URL: targets.archive.queueUrl,
    USER_POOL_ID: targets.userPool.userPoolId,
    RENDER_CAP: String(targets.config.renderCap),
    ...spendEnvironmentOf(targets.budgets),
  };
  for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
  const lambda = fn.resources.lambda;
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['sqs:GetQueueAttributes'],
      resources: [queue.queueArn, deadLetterQueue.queueArn, targets.archive.queueArn],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
      resources: [targets.archive.queueArn],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['cognito-idp:AdminCreateUser'],
      resources: [targets.userPool.userPoolArn],
    }),
  );
};
