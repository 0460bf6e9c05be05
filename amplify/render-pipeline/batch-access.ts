import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule } from 'aws-cdk-lib/aws-lambda';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';
import { OWNER_BATCHES_INDEX, ROWS_INDEX } from '../functions/batches/dynamo-batch-tables';
import type { SpendBudgets } from '../../contract/spend-budget';
import type { PipelineConfig } from './config';
import type { RenderQueues } from './render-queue';

/** The stream records the progress writer gets: rows of batches only (a batchId in the new or old image). */
export const BATCH_ROW_FILTERS = [
  FilterCriteria.filter({ dynamodb: { NewImage: { batchId: { S: FilterRule.exists() } } } }),
  FilterCriteria.filter({ dynamodb: { OldImage: { batchId: { S: FilterRule.exists() } } } }),
];

/**
 * The batch functions' environment and exactly their permissions (docs/architecture.md, "Batches"). Their data API
 * access (IAM, for writes subscribers must hear) comes from `allow.resource(...)` in the data schema.
 * - batches: the Batch table (read, conditional put, the addedRows counter, the owner index), the Job table (a
 *   conditional put per row, consistent batch reads, the rows index), a send to the render queue (rows woken) and
 *   a read of the spend ledger (the owner's renders today, for the daily quota checked at submit).
 * - batch-progress: reads only (the Batch record, the rows index, consistent batch reads of rows). It is the Job
 *   table's one Lambda reader (job-stream-reader.ts), which also fans job endings out to webhooks
 *   (`createWebhookDelivery` grants that part).
 */
export const configureBatchFunctions = (
  functions: { batches: AmplifyFunctionResource; batchProgress: AmplifyFunctionResource },
  targets: {
    batchTable: ITable;
    jobTable: ITable;
    ledgerTable: ITable;
    budgets: SpendBudgets;
    queues: RenderQueues;
    config: PipelineConfig;
  },
): void => {
  const { batchTable, jobTable, ledgerTable, budgets, queues, config } = targets;
  const tables = {
    BATCH_TABLE_NAME: batchTable.tableName,
    JOB_TABLE_NAME: jobTable.tableName,
  };
  const batches = functions.batches.resources.lambda;
  const progress = functions.batchProgress.resources.lambda;
  const environment = {
    ...tables,
    ROW_QUEUE_URL: queues.queue.queueUrl,
    REMOTION_TIMEOUT_SECONDS: String(config.remotionTimeoutSeconds),
    REMOTION_CONCURRENCY_PER_RENDER: String(config.renderersPerRender),
    SPEND_LEDGER_TABLE_NAME: ledgerTable.tableName,
    DAILY_RENDERS_PER_USER: String(budgets.dailyRendersPerUser),
    // Rows wait in the table: a request wakes as many as the owner may render at once.
    MAX_ACTIVE_JOBS_PER_USER: String(config.maxActiveJobsPerUser),
  };
  for (const [name, value] of Object.entries(environment))
    functions.batches.addEnvironment(name, value);
  for (const [name, value] of Object.entries(tables))
    functions.batchProgress.addEnvironment(name, value);

  const rowsIndex = `${jobTable.tableArn}/index/${ROWS_INDEX}`;
  batches.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resources: [batchTable.tableArn],
    }),
  );
  batches.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${batchTable.tableArn}/index/${OWNER_BATCHES_INDEX}`, rowsIndex],
    }),
  );
  batches.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:PutItem', 'dynamodb:BatchGetItem'],
      resources: [jobTable.tableArn],
    }),
  );
  queues.queue.grantSendMessages(batches);
  batches.addToRolePolicy(
    new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [ledgerTable.tableArn] }),
  );

  progress.addToRolePolicy(
    new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [batchTable.tableArn] }),
  );
  progress.addToRolePolicy(
    new PolicyStatement({ actions: ['dynamodb:Query'], resources: [rowsIndex] }),
  );
  progress.addToRolePolicy(
    new PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: [jobTable.tableArn] }),
  );
};
