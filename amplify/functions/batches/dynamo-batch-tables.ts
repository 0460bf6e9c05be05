import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { batchJobId } from '../../../contract/batch-contract';
import { JOB_STATUSES, type JobStatus } from '../../../contract/job-contract';
import type { BatchRecord, BatchTables, RowJob, RowState } from './batch-ports';
import { forEachLimited } from './batch-service';

/** Names of the tables and indexes the batch functions reach. */
export interface BatchTableNames {
  batchTable: string;
  jobTable: string;
}

/** The Job table's index of a batch's rows in row order, and the Batch table's index by owner (see the schema). */
export const ROWS_INDEX = 'jobsByBatchIdAndRowIndex';
export const OWNER_BATCHES_INDEX = 'batchesByOwnerAndCreatedAt';

const ROW_PROJECTION = {
  ProjectionExpression: 'id, rowIndex, #status, costUsd, cancelRequested',
  ExpressionAttributeNames: { '#status': 'status' },
};
const BATCH_GET_LIMIT = 100;
const PUT_CONCURRENCY = 25;
/**
 * Rows written per transaction (DynamoDB's limit is 100 actions and 4 MB; a request's rows are at most 900 KiB), and
 * transactions in flight at once. One conditional put per row either way, but far fewer requests.
 */
const ROWS_PER_TRANSACTION = 100;
const TRANSACTIONS_IN_FLIGHT = 4;

const toRowState = (item: Record<string, unknown>): RowState => ({
  id: String(item.id),
  rowIndex: Number(item.rowIndex),
  status: JOB_STATUSES.includes(item.status as JobStatus) ? (item.status as JobStatus) : 'QUEUED',
  costUsd: typeof item.costUsd === 'number' ? item.costUsd : 0,
  cancelRequested: item.cancelRequested === true,
});

const chunk = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, index) =>
    items.slice(index * size, index * size + size),
  );

/**
 * The Batch and Job tables over DynamoDB. Rows are created here, not through AppSync: one conditional put per row
 * (`attribute_not_exists(id)`), a hundred to a transaction, so a retried request or a redelivered message creates no
 * second job. The Pipe passes no batch row: rows wait in the table until woken (docs/architecture.md, "Batches").
 */
export const createDynamoBatchTables = ({
  names,
  client = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  }),
}: {
  names: BatchTableNames;
  client?: Pick<DynamoDBDocumentClient, 'send'>;
}): BatchTables => {
  const putIfAbsent = async (table: string, item: Record<string, unknown>) => {
    try {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return true;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      )
        return false;
      throw error;
    }
  };

  const batchGet = async (
    ids: string[],
    consistent: boolean,
  ): Promise<Record<string, unknown>[]> => {
    const items: Record<string, unknown>[] = [];
    for (const part of chunk(ids, BATCH_GET_LIMIT)) {
      let keys: Record<string, unknown>[] | undefined = part.map((id) => ({ id }));
      // Unprocessed keys (throttling) are asked for again until none are left.
      for (let round = 0; keys && keys.length > 0; round += 1) {
        if (round > 0)
          await new Promise((done) => setTimeout(done, Math.min(1000, 50 * 2 ** round)));
        const answer = await client.send(
          new BatchGetCommand({
            RequestItems: {
              [names.jobTable]: { Keys: keys, ConsistentRead: consistent, ...ROW_PROJECTION },
            },
          }),
        );
        items.push(...(answer.Responses?.[names.jobTable] ?? []));
        keys = answer.UnprocessedKeys?.[names.jobTable]?.Keys as
          Record<string, unknown>[] | undefined;
      }
    }
    return items;
  };

  return {
    putBatchIfAbsent: (batch) => putIfAbsent(names.batchTable, { ...batch, __typename: 'Batch' }),
    async getBatch(batchId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: names.batchTable, Key: { id: batchId }, ConsistentRead: true }),
      );
      return Item as BatchRecord | undefined;
    },
    async listOwnerBatches(owner) {
      const batches: BatchRecord[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: names.batchTable,
            IndexName: OWNER_BATCHES_INDEX,
            KeyConditionExpression: '#owner = :owner',
            ExpressionAttributeNames: { '#owner': 'owner' },
            ExpressionAttributeValues: { ':owner': owner },
            ExclusiveStartKey,
          }),
        );
        batches.push(...((page.Items ?? []) as BatchRecord[]));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return batches;
    },
    async addToAddedRows(batchId, count) {
      const { Attributes } = await client.send(
        new UpdateCommand({
          TableName: names.batchTable,
          Key: { id: batchId },
          UpdateExpression: 'ADD addedRows :count',
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeValues: { ':count': count },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.addedRows ?? 0);
    },
    async raiseAddedRows(batchId, count) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: names.batchTable,
            Key: { id: batchId },
            UpdateExpression: 'SET addedRows = :count',
            ConditionExpression: 'attribute_exists(id) AND addedRows < :count',
            ExpressionAttributeValues: { ':count': count },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return Number(Attributes?.addedRows ?? count);
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        const { Item } = await client.send(
          new GetCommand({
            TableName: names.batchTable,
            Key: { id: batchId },
            ConsistentRead: true,
          }),
        );
        return Number(Item?.addedRows ?? 0);
      }
    },
    async putRowJobsIfAbsent(jobs: RowJob[]) {
      const now = new Date().toISOString();
      // The fields Amplify's own create resolver writes, so AppSync reads the row like any job.
      const items = jobs.map((job) => ({
        ...job,
        __typename: 'Job',
        // The hand-off's key (the owner as stored): a freed slot finds the owner's waiting rows by it.
        rowOwner: job.owner,
        status: 'QUEUED',
        cancelRequested: false,
        createdAt: now,
        updatedAt: now,
      }));
      // Each group of rows in one transaction of conditional puts (each only if the row is absent). A transaction is
      // all or nothing: when one row exists (a retried request) or another request races it, that group's rows are
      // put one by one, each conditional, so only the absent ones are created.
      const putOneByOne = async (group: Record<string, unknown>[]) => {
        let created = 0;
        await forEachLimited(group, PUT_CONCURRENCY, async (item) => {
          if (await putIfAbsent(names.jobTable, item)) created += 1;
        });
        return created;
      };
      const putGroup = async (group: Record<string, unknown>[]) => {
        try {
          await client.send(
            new TransactWriteCommand({
              TransactItems: group.map((Item) => ({
                Put: {
                  TableName: names.jobTable,
                  Item,
                  ConditionExpression: 'attribute_not_exists(id)',
                },
              })),
            }),
          );
          return group.length;
        } catch (error) {
          if (
            error instanceof TransactionCanceledException ||
            (error as Error).name === 'TransactionCanceledException'
          )
            return putOneByOne(group);
          throw error;
        }
      };
      let created = 0;
      await forEachLimited(
        chunk(items, ROWS_PER_TRANSACTION),
        TRANSACTIONS_IN_FLIGHT,
        async (group) => {
          // Not `created += await …`: that reads `created` before the wait and loses the other lanes' counts.
          const written = await putGroup(group);
          created += written;
        },
      );
      return { created, present: jobs.length - created };
    },
    async countPresentRows(batchId, rowCount) {
      const ids = Array.from({ length: rowCount }, (_, rowIndex) => batchJobId(batchId, rowIndex));
      return (await batchGet(ids, true)).length;
    },
    async listRows(batchId) {
      const rows: RowState[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: names.jobTable,
            IndexName: ROWS_INDEX,
            KeyConditionExpression: 'batchId = :batchId',
            ExpressionAttributeValues: { ':batchId': batchId },
            ExclusiveStartKey,
            ...ROW_PROJECTION,
          }),
        );
        rows.push(...(page.Items ?? []).map(toRowState));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return rows;
    },
    getRows: async (jobIds) => (await batchGet(jobIds, true)).map(toRowState),
  };
};
