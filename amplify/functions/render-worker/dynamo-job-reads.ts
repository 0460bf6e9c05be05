import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  PutCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { JOB_STATUS_INDEX } from '../../../contract/job-contract';
import { toActiveJob, toJobRecord, type JobItem } from './appsync-job-store';
import type { JobStore, RenderSlot } from './ports';

/** The tables the worker reads and whose slots it writes directly. */
export interface WorkerTableNames {
  jobTable: string;
  renderSlotTable: string;
}

const SLOT_TYPENAME = 'RenderSlot';

/**
 * The owner as AppSync reports it. The table holds `<sub>::<username>`; Amplify's resolver for the `owner` field
 * answers its last `::` part, and slots, rows and the reconciler all key by that answer.
 */
const ownerAsAppSyncReportsIt = (item: Record<string, unknown>): JobItem => {
  const owner = typeof item.owner === 'string' ? item.owner.split('::').at(-1) : undefined;
  return { ...(item as JobItem), owner: owner ?? null };
};

/**
 * The worker's store with its reads and its slots on DynamoDB itself (docs/architecture.md, "Data flow"):
 * a job by its key (strongly consistent), the jobs RENDERING from the status index, and an owner's render slots (a
 * strongly consistent key query, a conditional put, a conditional delete). Every Job write still goes through
 * `appsync` (`update`), so each change reaches the owner's subscriptions; so do the full scans only recovery and the
 * reconciler make (`listActiveJobs`, every slot), which the cloud worker never calls.
 *
 * Why: those 9 of a job's 13 AppSync operations each cost an AppSync request ($4 per million) on top of DynamoDB's
 * read or write units (a strongly consistent read costs one unit where AppSync's eventually consistent one cost
 * half: $0.000000125 more), and locally each one was a pass through the simulator's templates (BENCHMARKS.md,
 * "Cloud cost per render").
 */
export const withDynamoReads = (
  appsync: JobStore,
  client: DynamoDBClient,
  tables: WorkerTableNames,
): JobStore => {
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
    // A number as AppSync answers it: a JS number even beyond 2^53 (the client would answer a BigInt, or throw for
    // an unsafe fraction, and an owner's props or metadata may hold one).
    unmarshallOptions: { wrapNumbers: (value: string) => Number(value) },
  });
  // Every page of a query (the SDK's paginator follows LastEvaluatedKey).
  const queryAll = async (input: QueryCommandInput) => {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateQuery({ client: documents }, input))
      items.push(...(page.Items ?? []));
    return items;
  };
  const toSlot = (item: Record<string, unknown>): RenderSlot => ({
    jobOwner: String(item.jobOwner),
    slot: Number(item.slot),
    jobId: String(item.jobId),
    createdAt: typeof item.createdAt === 'string' ? item.createdAt : null,
  });
  const refusedByCondition = (error: unknown) => error instanceof ConditionalCheckFailedException;

  return {
    ...appsync,
    async get(jobId) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: tables.jobTable, Key: { id: jobId }, ConsistentRead: true }),
      );
      return Item ? toJobRecord(ownerAsAppSyncReportsIt(Item)) : null;
    },
    // A status index cannot be read strongly consistently, through AppSync or here: the cap's claim looks again.
    listRenderingJobs: async () =>
      (
        await queryAll({
          TableName: tables.jobTable,
          IndexName: JOB_STATUS_INDEX,
          KeyConditionExpression: '#status = :rendering',
          ProjectionExpression: 'id, #owner, #status, createdAt',
          ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
          ExpressionAttributeValues: { ':rendering': 'RENDERING' },
        })
      ).map((item) => toActiveJob(ownerAsAppSyncReportsIt(item))),
    async listRenderSlots(jobOwner) {
      if (jobOwner === undefined) return appsync.listRenderSlots();
      return (
        await queryAll({
          TableName: tables.renderSlotTable,
          KeyConditionExpression: 'jobOwner = :jobOwner',
          ExpressionAttributeValues: { ':jobOwner': jobOwner },
          ConsistentRead: true,
        })
      ).map(toSlot);
    },
    async createRenderSlot({ jobOwner, slot, jobId }) {
      const now = new Date().toISOString();
      try {
        // Written the way AppSync's create resolver writes it, so the reconciler still reads it through AppSync.
        await documents.send(
          new PutCommand({
            TableName: tables.renderSlotTable,
            Item: {
              jobOwner,
              slot,
              jobId,
              __typename: SLOT_TYPENAME,
              createdAt: now,
              updatedAt: now,
            },
            ConditionExpression: 'attribute_not_exists(jobOwner)',
          }),
        );
        return true;
      } catch (error) {
        if (refusedByCondition(error)) return false;
        throw error;
      }
    },
    async deleteRenderSlot({ jobOwner, slot, jobId }) {
      try {
        await documents.send(
          new DeleteCommand({
            TableName: tables.renderSlotTable,
            Key: { jobOwner, slot },
            ConditionExpression: 'jobId = :jobId',
            ExpressionAttributeValues: { ':jobId': jobId },
          }),
        );
        return true;
      } catch (error) {
        if (refusedByCondition(error)) return false;
        throw error;
      }
    },
  };
};
