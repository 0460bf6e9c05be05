import type { Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';

/** Only new jobs are enqueued: updates and deletes on the Job table never reach the queue. */
export const JOB_STREAM_FILTER = { eventName: ['INSERT'] } as const;

/** The message body: the job id alone, since the Job record is the one source of truth. */
export const JOB_MESSAGE_TEMPLATE = '{"jobId": "<$.dynamodb.NewImage.id.S>"}';

/**
 * Connects the Job table's stream to the render queue with an EventBridge Pipe that passes
 * INSERT events only and sends `{ "jobId": ... }` as the message body.
 */
export const connectJobStreamToQueue = (
  stack: Stack,
  { table, queue }: { table: ITable; queue: IQueue },
): CfnPipe => {
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
  role.addToPolicy(
    new PolicyStatement({
      actions: [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ],
      resources: [streamArn],
    }),
  );
  queue.grantSendMessages(role);
  const pipe = new CfnPipe(stack, 'JobStreamToRenderQueue', {
    roleArn: role.roleArn,
    source: streamArn,
    sourceParameters: {
      dynamoDbStreamParameters: { startingPosition: 'LATEST', batchSize: 1 },
      filterCriteria: { filters: [{ pattern: JSON.stringify(JOB_STREAM_FILTER) }] },
    },
    target: queue.queueArn,
    targetParameters: { inputTemplate: JOB_MESSAGE_TEMPLATE },
  });
  // The pipe validates its role on creation: the policy must exist first.
  pipe.node.addDependency(role);
  return pipe;
};
