import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { RemovableJob, RemoveJobPorts } from './remove-job';

const conditionFailed = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** `write` answers false instead of throwing when its condition fails. */
const conditional = async (write: () => Promise<unknown>): Promise<boolean> => {
  try {
    await write();
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
};

const text = (value: unknown) => (typeof value === 'string' ? value : null);

/**
 * The job remover's reach into the Job table: one consistent read, two conditional updates (the same cancels the
 * studio and a batch ask for) and one conditional delete. The Lambda and local mode (DynamoDB Local) use it alike.
 */
export const createDynamoJobRecords = ({
  tableName,
  client = DynamoDBDocumentClient.from(new DynamoDBClient({})),
}: {
  tableName: string;
  client?: Pick<DynamoDBDocumentClient, 'send'>;
}): Pick<RemoveJobPorts, 'loadJob' | 'cancelQueuedJob' | 'requestCancel' | 'deleteJobRecord'> => ({
  async loadJob(jobId) {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { id: jobId },
        ConsistentRead: true,
        ProjectionExpression: 'id, #owner, #status, renderId, outputKey, posterKey, outputFormat',
        ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
      }),
    );
    if (!Item) return undefined;
    const job: RemovableJob = {
      id: String(Item.id),
      owner: text(Item.owner) ?? '',
      status: text(Item.status),
      renderId: text(Item.renderId),
      outputKey: text(Item.outputKey),
      posterKey: text(Item.posterKey),
      outputFormat: text(Item.outputFormat),
    };
    return job;
  },
  cancelQueuedJob: (jobId, finishedAt) =>
    conditional(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id: jobId },
          UpdateExpression:
            'SET #status = :cancelled, cancelRequested = :yes, finishedAt = :at, updatedAt = :at',
          ConditionExpression:
            'attribute_exists(id) AND (attribute_not_exists(#status) OR #status = :queued)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'CANCELLED',
            ':queued': 'QUEUED',
            ':yes': true,
            ':at': finishedAt,
          },
        }),
      ),
    ),
  requestCancel: (jobId) =>
    conditional(() =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { id: jobId },
          UpdateExpression: 'SET cancelRequested = :yes, updatedAt = :at',
          ConditionExpression: '#status = :rendering',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':yes': true,
            ':rendering': 'RENDERING',
            ':at': new Date().toISOString(),
          },
        }),
      ),
    ),
  deleteJobRecord: (jobId) =>
    conditional(() =>
      client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: { id: jobId },
          ConditionExpression: '#status IN (:succeeded, :failed, :cancelled)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':succeeded': 'SUCCEEDED',
            ':failed': 'FAILED',
            ':cancelled': 'CANCELLED',
          },
        }),
      ),
    ),
});
