import { Duration, type Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';

/**
 * Only new single jobs are enqueued: updates and deletes on the Job table never reach the queue, and neither do batch
 * rows, which wait in the table until a render slot of their owner's wakes them (docs/architecture.md, "Batches").
 * `exists` matches leaf fields only, hence `batchId.S`; an image without `batchId` has no such leaf, so it passes.
 */
export const JOB_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { batchId: { S: [{ exists: false }] } } },
} as const;

/** The message body: the job id alone, since the Job record is the one source of truth. */
export const JOB_MESSAGE_TEMPLATE = '{"jobId": "<$.dynamodb.NewImage.id.S>"}';

/** How hard the pipe tries to deliver one stream batch before it sets it aside in its DLQ. */
export const PIPE_RETRY_LIMITS = {
  maximumRetryAttempts: 10,
  maximumRecordAgeInSeconds: 3600,
} as const;

/** The pipe and the queue that keeps what it could not deliver. */
export interface JobStreamPipe {
  pipe: CfnPipe;
  /** Holds the stream positions of batches the pipe gave up on (the jobs themselves are re-enqueued by the reconciler). */
  deadLetterQueue: Queue;
}

/**
 * Connects the Job table's stream to the render queue with an EventBridge Pipe that passes
 * INSERT events of single jobs only (not batch rows) and sends `{ "jobId": ... }` as the message body. A failing target is retried
 * a bounded number of times (not until the record expires 24 h later), then the batch is recorded
 * in the pipe's dead-letter queue, which is alarmed.
 */
export const connectJobStreamToQueue = (
  stack: Stack,
  { table, queue }: { table: ITable; queue: IQueue },
): JobStreamPipe => {
  const streamArn = table.tableStreamArn;
  if (!streamArn) {
    throw new Error(
      'The Job table must have a DynamoDB stream for the render pipe, but it has none. ' +
        'Amplify tables have one by default: check that the Job model is an Amplify table.',
    );
  }
  const role = new Role(stack, 'JobStreamPipeRole', {
    assumedBy: new ServicePrincipal('pipes.amazonaws.com'),
  });
  // What Pipes needs of a DynamoDB stream source (EventBridge user guide, "Event source permissions"): the reads on
  // this stream, and ListStreams, which IAM accepts only on `*` (it names no stream and returns only stream ARNs).
  role.addToPolicy(
    new PolicyStatement({
      actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
      resources: [streamArn],
    }),
  );
  role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
  queue.grantSendMessages(role);
  const deadLetterQueue = new Queue(stack, 'JobStreamPipeDeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  deadLetterQueue.grantSendMessages(role);
  const pipe = new CfnPipe(stack, 'JobStreamToRenderQueue', {
    roleArn: role.roleArn,
    source: streamArn,
    sourceParameters: {
      dynamoDbStreamParameters: {
        startingPosition: 'LATEST',
        batchSize: 1,
        ...PIPE_RETRY_LIMITS,
        deadLetterConfig: { arn: deadLetterQueue.queueArn },
      },
      filterCriteria: { filters: [{ pattern: JSON.stringify(JOB_STREAM_FILTER) }] },
    },
    target: queue.queueArn,
    targetParameters: { inputTemplate: JOB_MESSAGE_TEMPLATE },
  });
  // The pipe validates its role on creation: the policy must exist first.
  pipe.node.addDependency(role);
  return { pipe, deadLetterQueue };
};
