import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { VideoUrlJob } from './create-video-url';

/** Reads one job from the Job table (a strongly consistent read, so a fresh SUCCEEDED is seen). */
export const createDynamoJobLoader = ({
  tableName,
  client = DynamoDBDocumentClient.from(new DynamoDBClient({})),
}: {
  tableName: string;
  client?: Pick<DynamoDBDocumentClient, 'send'>;
}) => {
  return async (jobId: string): Promise<VideoUrlJob | undefined> => {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: { id: jobId },
        ConsistentRead: true,
        ProjectionExpression: 'id, #owner, #status, outputKey, posterKey, expiresAt, expiredAt',
        ExpressionAttributeNames: { '#owner': 'owner', '#status': 'status' },
      }),
    );
    if (!Item) return undefined;
    return {
      id: String(Item.id),
      owner: typeof Item.owner === 'string' ? Item.owner : '',
      status: typeof Item.status === 'string' ? Item.status : '',
      outputKey: typeof Item.outputKey === 'string' ? Item.outputKey : null,
      posterKey: typeof Item.posterKey === 'string' ? Item.posterKey : null,
      expiresAt: typeof Item.expiresAt === 'string' ? Item.expiresAt : null,
      expiredAt: typeof Item.expiredAt === 'string' ? Item.expiredAt : null,
    };
  };
};
