import { Duration, type Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  EventSourceMapping,
  FilterCriteria,
  FilterRule,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { ENDPOINTS_BY_OWNER_INDEX } from '../functions/webhooks/dynamo-webhook-store';
import { WEBHOOK_ENV } from '../functions/webhooks/cloud-ports';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';

/** The delivery function's timeout (amplify/functions/webhooks/resource.ts); the queue's visibility is six times it. */
export const WEBHOOK_DELIVERY_TIMEOUT_SECONDS = 90;
/** Attempts per delivery invocation: five 10 s timeouts still end well inside the function's 90 s. */
export const WEBHOOK_DELIVERY_BATCH_SIZE = 5;
/** A webhook message whose attempt keeps THROWING (our storage, not the receiver) goes to the DLQ after this. */
export const WEBHOOK_MAX_RECEIVE_COUNT = 5;
/**
 * The stream event sources that feed the fan-out (the Job stream's reader, the Batch stream's endings) retry a failing
 * record this often, for at most this long, then describe it to the fan-out's dead-letter queue. Local mode's
 * readers give up alike (local/pipeline/job-stream-reader.ts).
 */
export const STREAM_SOURCE_RETRY_ATTEMPTS = 10;
export const STREAM_SOURCE_MAX_RECORD_AGE_SECONDS = 3600;

/** Only job endings reach the fan-out: a MODIFY whose new status is terminal (the function drops same-status writes). */
export const JOB_ENDING_FILTER = {
  eventName: FilterRule.isEqual('MODIFY'),
  dynamodb: { NewImage: { status: { S: FilterRule.or('SUCCEEDED', 'FAILED', 'CANCELLED') } } },
};

/**
 * Only batches' ends reach the fan-out: a MODIFY of a FINISHED or CANCELLED batch with `finishedAt` stamped (the
 * function keeps the one write that stamps it; progress writes before and after it carry no event).
 */
export const BATCH_END_FILTER = {
  eventName: FilterRule.isEqual('MODIFY'),
  dynamodb: {
    NewImage: {
      status: { S: FilterRule.or('FINISHED', 'CANCELLED') },
      finishedAt: { S: FilterRule.exists() },
    },
  },
};

/** The webhook tables Amplify made from amplify/data/webhook-schema.ts, and the Batch table whose stream feeds the fan-out. */
export interface WebhookTables {
  batch: ITable;
  endpoints: ITable;
  deliveries: ITable;
  secrets: ITable;
}

/** What the webhook wiring created. */
export interface WebhookDelivery {
  queue: Queue;
  deadLetterQueue: Queue;
  fanoutDeadLetterQueue: Queue;
  cipherKey: Secret;
}

/**
 * Webhooks to integrators (docs/architecture.md): the Batch stream → fan-out function, and the Job stream's one Lambda
 * reader (job endings) → webhook queue (DLQ) →
 * delivery function chain, the signing-secret encryption key, and the management function behind the mutations,
 * each function with exactly the table actions, queue actions and secret it uses. Nothing here touches the render path.
 */
export const createWebhookDelivery = (
  stack: Stack,
  fns: {
    api: AmplifyFunctionResource;
    fanout: AmplifyFunctionResource;
    delivery: AmplifyFunctionResource;
    /** The Job table's one Lambda reader (job-stream-reader.ts), which queues job endings with the fan-out's code. */
    jobEndings: AmplifyFunctionResource;
  },
  tables: WebhookTables,
): WebhookDelivery => {
  const cipherKey = new Secret(stack, 'WebhookSecretKey', {
    description:
      "Encrypts webhook endpoints' signing secrets at rest (AES-256-GCM key material); read by the webhook API and delivery functions.",
    generateSecretString: { passwordLength: 64, excludePunctuation: true },
  });
  const deadLetterQueue = new Queue(stack, 'WebhookDeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const queue = new Queue(stack, 'WebhookQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    visibilityTimeout: Duration.seconds(WEBHOOK_DELIVERY_TIMEOUT_SECONDS * 6),
    // Every retry is a new message, so one message never lives longer than the longest hop (15 min).
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: WEBHOOK_MAX_RECEIVE_COUNT },
  });
  const fanoutDeadLetterQueue = new Queue(stack, 'WebhookFanoutDeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });

  const environment = {
    [WEBHOOK_ENV.endpointsTable]: tables.endpoints.tableName,
    [WEBHOOK_ENV.deliveriesTable]: tables.deliveries.tableName,
    [WEBHOOK_ENV.secretsTable]: tables.secrets.tableName,
    [WEBHOOK_ENV.queueUrl]: queue.queueUrl,
    [WEBHOOK_ENV.cipherKeyArn]: cipherKey.secretArn,
  };
  const fansOut = (fn: AmplifyFunctionResource) => fn === fns.fanout || fn === fns.jobEndings;
  for (const fn of [fns.api, fns.fanout, fns.delivery, fns.jobEndings])
    for (const [name, value] of Object.entries(environment))
      // The fan-outs read no secret: they are not even told where the key is.
      if (!(fansOut(fn) && name === WEBHOOK_ENV.cipherKeyArn)) fn.addEnvironment(name, value);

  const allow = (fn: AmplifyFunctionResource, actions: string[], resources: string[]) =>
    fn.resources.lambda.addToRolePolicy(new PolicyStatement({ actions, resources }));
  const ownerIndex = `${tables.endpoints.tableArn}/index/${ENDPOINTS_BY_OWNER_INDEX}`;

  // The management function: endpoints and secrets, reading one delivery (Redeliver), queueing test events.
  allow(
    fns.api,
    ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
    [tables.endpoints.tableArn, tables.secrets.tableArn],
  );
  allow(fns.api, ['dynamodb:Query'], [ownerIndex]);
  allow(fns.api, ['dynamodb:GetItem'], [tables.deliveries.tableArn]);
  allow(fns.api, ['sqs:SendMessage'], [queue.queueArn]);
  allow(fns.api, ['secretsmanager:GetSecretValue'], [cipherKey.secretArn]);

  // The fan-out: the Batch stream (filtered to ends), the owner's endpoints, the queue. No secret.
  if (!tables.batch.tableStreamArn)
    throw new Error(
      'The Batch table must have a DynamoDB stream for webhook fan-out, but it has none. Amplify tables have one by default.',
    );
  const batchStreamArn = tables.batch.tableStreamArn;
  allow(
    fns.fanout,
    ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
    [batchStreamArn],
  );
  // Lambda's stream poller lists streams too; IAM accepts ListStreams only on `*` (it names no stream).
  allow(fns.fanout, ['dynamodb:ListStreams'], ['*']);
  for (const fn of [fns.fanout, fns.jobEndings]) {
    allow(fn, ['dynamodb:Query'], [ownerIndex]);
    allow(fn, ['sqs:SendMessage'], [queue.queueArn]);
  }
  // Job endings come from the Job stream's one Lambda reader (job-stream-reader.ts): a third reader of its shards
  // would exceed the two DynamoDB Streams allows.
  new EventSourceMapping(stack, 'BatchEndsToWebhookFanout', {
    target: fns.fanout.resources.lambda,
    eventSourceArn: batchStreamArn,
    startingPosition: StartingPosition.LATEST,
    batchSize: 10,
    filters: [FilterCriteria.filter(BATCH_END_FILTER)],
    retryAttempts: STREAM_SOURCE_RETRY_ATTEMPTS,
    maxRecordAge: Duration.seconds(STREAM_SOURCE_MAX_RECORD_AGE_SECONDS),
    bisectBatchOnError: true,
    reportBatchItemFailures: true,
    onFailure: new SqsDlq(fanoutDeadLetterQueue),
  });

  // The delivery function: one endpoint and its secret at a time, the log, and the next attempt on the queue.
  allow(fns.delivery, ['dynamodb:GetItem'], [tables.endpoints.tableArn, tables.secrets.tableArn]);
  allow(fns.delivery, ['dynamodb:PutItem'], [tables.deliveries.tableArn]);
  allow(fns.delivery, ['sqs:SendMessage'], [queue.queueArn]);
  allow(fns.delivery, ['secretsmanager:GetSecretValue'], [cipherKey.secretArn]);
  fns.delivery.resources.lambda.addEventSource(
    new SqsEventSource(queue, {
      batchSize: WEBHOOK_DELIVERY_BATCH_SIZE,
      reportBatchItemFailures: true,
      maxConcurrency: 10,
    }),
  );

  for (const [id, dlq, what] of [
    [
      'WebhookDeadLetterQueueNotEmpty',
      deadLetterQueue,
      'a webhook delivery kept failing to RUN (storage or queue errors, not the receiver)',
    ],
    [
      'WebhookFanoutDeadLetterQueueNotEmpty',
      fanoutDeadLetterQueue,
      "job endings (the batch-progress function, the Job stream's one Lambda reader; a batch recount that kept failing lands here too) or batch ends (webhook-fanout) could not be handled",
    ],
  ] as const)
    new Alarm(stack, id, {
      alarmDescription: `Webhooks: ${what}; see the queue and the function's logs.`,
      metric: dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  return { queue, deadLetterQueue, fanoutDeadLetterQueue, cipherKey };
};
