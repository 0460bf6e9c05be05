import { Aws } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { JOB_STATUS_INDEX } from '../../contract/job-contract';
import type { WorkerEnvironmentVariables } from '../functions/render-worker/worker-config';
import type { PipelineConfig } from './config';
import type { RenderQueues } from './render-queue';
import type { RemotionWebhookEndpoint } from './remotion-webhook-endpoint';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';

/**
 * The environment contract the render worker reads, derived from its schema (`worker-config.ts`),
 * so a variable the worker reads but the backend does not set fails to compile.
 */
export type RenderWorkerEnvironment = WorkerEnvironmentVariables;

/** What the worker is wired to. */
export interface RenderWorkerTargets {
  queues: RenderQueues;
  remotionFunction: IFunction;
  remotionBucket: IBucket;
  serveUrl: string;
  outputBucket: IBucket;
  config: PipelineConfig;
  /** Where Remotion reports a render's end (amplify/render-pipeline/remotion-webhook-endpoint.ts). */
  remotionWebhook: RemotionWebhookEndpoint;
  /** The Job and RenderSlot models' tables, which the worker reads (and holds slots in) directly. */
  tables: { job: ITable; renderSlot: ITable };
}

/** Builds the worker's environment: the one place its configuration is passed. */
export const renderWorkerEnvironmentOf = (
  targets: RenderWorkerTargets,
): RenderWorkerEnvironment => ({
  RENDER_CAP: String(targets.config.renderCap),
  MAX_ACTIVE_JOBS_PER_USER: String(targets.config.maxActiveJobsPerUser),
  MAX_RECEIVE_COUNT: String(targets.config.maxReceiveCount),
  REMOTION_FUNCTION_NAME: targets.remotionFunction.functionName,
  REMOTION_SERVE_URL: targets.serveUrl,
  // The render function is deployed by this backend, in its region.
  REMOTION_REGION: Aws.REGION,
  REMOTION_BUCKET_NAME: targets.remotionBucket.bucketName,
  OUTPUT_BUCKET_NAME: targets.outputBucket.bucketName,
  OUTPUT_PREFIX: targets.config.outputPrefix,
  OUTPUT_RETENTION_DAYS: String(targets.config.outputRetentionDays),
  RENDER_QUEUE_URL: targets.queues.queue.queueUrl,
  JOB_TABLE_NAME: targets.tables.job.tableName,
  RENDER_SLOT_TABLE_NAME: targets.tables.renderSlot.tableName,
  RENDER_DLQ_ARN: targets.queues.deadLetterQueue.queueArn,
  WAKE_QUEUE_ARN: targets.queues.wakeQueue.queueArn,
  RENDER_DLQ_URL: targets.queues.deadLetterQueue.queueUrl,
  // The fan-out that fits the concurrency budget, and the deadline that bounds a video's length.
  REMOTION_CONCURRENCY_PER_RENDER: String(targets.config.renderersPerRender),
  REMOTION_TIMEOUT_SECONDS: String(targets.config.remotionTimeoutSeconds),
  REMOTION_WEBHOOK_URL: targets.remotionWebhook.url,
  REMOTION_WEBHOOK_SECRET_ARN: targets.remotionWebhook.secret.secretArn,
});

/**
 * Sets the worker's environment and grants it exactly what it needs: invoke the Remotion render
 * function (that ARN only, never `*`), read/write Remotion's render state under `renders/` (the
 * cancel file is written with an ACL), read finished videos under the output prefix,
 * hand queue messages back and enqueue fresh ones, read jobs and hold render slots in their tables.
 */
export const configureRenderWorker = (
  worker: AmplifyFunctionResource,
  targets: RenderWorkerTargets,
): void => {
  for (const [name, value] of Object.entries(renderWorkerEnvironmentOf(targets))) {
    worker.addEnvironment(name, value);
  }
  const lambda = worker.resources.lambda;
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [targets.remotionFunction.functionArn],
    }),
  );
  // Object actions on the prefixes only (no bucket-wide grants): Remotion's render state
  // (progress, cancel signal) and the finished videos.
  // `cancelRenderOnLambda` writes its cancel file with `ACL: private`, which IAM judges as PutObjectAcl.
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject', 's3:PutObjectAcl'],
      resources: [targets.remotionBucket.arnForObjects('renders/*')],
    }),
  );
  // GetObject: Remotion's progress check looks for the finished video (a HEAD) once every chunk is in.
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [targets.outputBucket.arnForObjects(`${targets.config.outputPrefix}*`)],
    }),
  );
  // Handing a message back with a delay (ChangeMessageVisibility) on either queue, and
  // `continueLater` (cap reached, claim races, long renders) sending a fresh one to the render queue.
  targets.queues.queue.grantConsumeMessages(lambda);
  targets.queues.queue.grantSendMessages(lambda);
  // The wake-up queue: its event source (queue-worker-mapping.ts) grants what consuming it needs; a wake-up is never
  // sent by the worker, nor handed back.
  targets.queues.deadLetterQueue.grantConsumeMessages(lambda);
  // Its reads (docs/architecture.md, "Data flow"): a job by its key and the status index only; every Job
  // write goes through AppSync, so no write on the Job table. Its slots: an owner's key query, a conditional put and
  // a conditional delete; the listing of every slot is the reconciler's, through AppSync.
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:GetItem'],
      resources: [targets.tables.job.tableArn],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query'],
      resources: [`${targets.tables.job.tableArn}/index/${JOB_STATUS_INDEX}`],
    }),
  );
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resources: [targets.tables.renderSlot.tableArn],
    }),
  );
  // The webhook secret, passed to Remotion with each render so it signs its render-finished call.
  lambda.addToRolePolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [targets.remotionWebhook.secret.secretArn],
    }),
  );
};
