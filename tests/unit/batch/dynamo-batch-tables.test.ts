// Row creation over DynamoDB (the batches function's adapter), against aws-sdk-client-mock: rows go a hundred to a
// transaction of conditional puts; a transaction cancelled because a row exists (a retry) or a racing request falls
// back to one conditional put per row, so only the absent rows are created and each is counted once.
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoBatchTables } from '../../../amplify/functions/batches/dynamo-batch-tables';
import type { RowJob } from '../../../amplify/functions/batches/batch-ports';
import { batchJobId } from '../../../contract/batch-contract';

const dynamo = mockClient(DynamoDBDocumentClient);
afterEach(() => dynamo.reset());

const BATCH = '3f2b6c1e-8d4a-4f7b-9c2e-1a5d7e9f0b3c';
const rowJobs = (count: number): RowJob[] =>
  Array.from({ length: count }, (_, rowIndex) => ({
    id: batchJobId(BATCH, rowIndex),
    owner: 'sub-a::alice',
    compositionId: 'title-card',
    inputProps: { title: `Row ${rowIndex + 1}` },
    title: `Row ${rowIndex + 1}`,
    batchId: BATCH,
    rowIndex,
  }));

describe('putRowJobsIfAbsent', () => {
  it('writes 250 rows in three transactions of conditional puts, each row QUEUED with its rowOwner', async () => {
    dynamo.on(TransactWriteCommand).resolves({});
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

    const result = await createDynamoBatchTables({
      names: { batchTable: 'Batch-x', jobTable: 'Job-x' },
      client,
    }).putRowJobsIfAbsent(rowJobs(250));

    expect(result).toEqual({ created: 250, present: 0 });
    const calls = dynamo.commandCalls(TransactWriteCommand);
    expect(calls.map((call) => call.args[0].input.TransactItems!.length).sort()).toEqual([
      100, 100, 50,
    ]);
    const put = calls[0]!.args[0].input.TransactItems![0]!.Put!;
    expect(put.TableName).toBe('Job-x');
    expect(put.ConditionExpression).toBe('attribute_not_exists(id)');
    expect(put.Item).toMatchObject({
      __typename: 'Job',
      status: 'QUEUED',
      rowOwner: 'sub-a::alice',
      owner: 'sub-a::alice',
      batchId: BATCH,
    });
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('puts the rows of a cancelled transaction one by one, creating only the absent ones', async () => {
    const present = new Set([batchJobId(BATCH, 1), batchJobId(BATCH, 3)]);
    dynamo.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'Transaction cancelled, please refer cancellation reasons for specific reasons',
        $metadata: {},
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    dynamo.on(PutCommand).callsFake((input: { Item: { id: string } }) => {
      if (present.has(input.Item.id)) {
        const error = new Error('The conditional request failed');
        error.name = 'ConditionalCheckFailedException';
        throw error;
      }
      return {};
    });
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

    const result = await createDynamoBatchTables({
      names: { batchTable: 'Batch-x', jobTable: 'Job-x' },
      client,
    }).putRowJobsIfAbsent(rowJobs(5));

    expect(result).toEqual({ created: 3, present: 2 });
    const puts = dynamo.commandCalls(PutCommand).map((call) => call.args[0].input);
    expect(puts.map((input) => input.Item!.id).sort()).toEqual(rowJobs(5).map((job) => job.id));
    for (const input of puts) expect(input.ConditionExpression).toBe('attribute_not_exists(id)');
  });

  it('passes on any other failure: nothing is counted as created', async () => {
    dynamo.on(TransactWriteCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    await expect(
      createDynamoBatchTables({
        names: { batchTable: 'Batch-x', jobTable: 'Job-x' },
        client,
      }).putRowJobsIfAbsent(rowJobs(3)),
    ).rejects.toThrow(/ProvisionedThroughputExceeded/);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(0);
  });
});
