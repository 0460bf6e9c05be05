import type { IUserPool } from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { SpendBudgets } from '../../contract/spend-budget';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';
import type { PipelineConfig } from './config';
import type { RenderQueues } from './render-queue';
import { spendEnvironmentOf } from './spend-config';

/**
 * The worker's part: the budgets to hold, and the ledger's table, which it writes directly (one atomic conditional
 * `UpdateItem` per budget entry; docs/architecture.md, "Spend guard"): Get/Put/UpdateItem on that table only.
 * Dead letters it keeps through the data API (the DeadLetterRecord model).
 */
export const configureWorkerSpend = (
  worker: AmplifyFunctionResource,
  budgets: SpendBudgets,
  ledgerTable: ITable,
): void => {
  for (const [name, value] of Object.entries(spendEnvironmentOf(budgets)))
    worker.addEnvironment(name, value);
  worker.addEnvironment('SPEND_LEDGER_TABLE_NAME', ledgerTable.tableName);
  worker.resources.lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [ledgerTable.tableArn],
    }),
  );
};

/**
 * The operations function's environment and exactly its permissions: queue counts, a send to the render queue (a
 * redrive), AdminCreateUser on this user pool (an invitation), and GetMetricData to read what the render worker emits.
 * Its data API access (IAM: jobs, the ledger, the dead-letter archive) comes from `allow.resource(operations)`.
 */
export const configureOperationsFunction = (
  fn: AmplifyFunctionResource,
  targets: {
    queues: RenderQueues;
    /** The render worker, whose metrics (FunctionName dimension) the overview reads. */
    worker: IFunction;
    userPool: IUserPool;
    config: PipelineConfig;
    budgets: SpendBudgets;
  },
): void => {
  const { queue, deadLetterQueue } = targets.queues;
  const environment = {
    RENDER_QUEUE_URL: queue.queueUrl,
    RENDER_DLQ_URL: deadLetterQueue.queueUrl,
    RENDER_WORKER_FUNCTION_NAME: targets.worker.functionName,
    USER_POOL_ID: targets.userPool.userPoolId,
    RENDER_CAP: String(targets.config.renderCap),
    ...spendEnvironmentOf(targets.budgets),
  };
  for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
  const lambda = fn.resources.lambda;
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['sqs:GetQueueAttributes'],
      resources: [queue.queueArn, deadLetterQueue.queueArn],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
  );
  // GetMetricData has no resource-level permissions (IAM: resource type "*"); the function asks only for the
  // worker's metrics (worker-metric-data.ts). Reviewed in amplify/nag-suppressions.ts.
  lambda.addToRolePolicy(
    new PolicyStatement({ actions: ['cloudwatch:GetMetricData'], resources: ['*'] }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['cognito-idp:AdminCreateUser'],
      resources: [targets.userPool.userPoolArn],
    }),
  );
};
