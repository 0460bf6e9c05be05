// A Job table kept under `.local/` from before the schema gained an index gets that index on the next
// start, with its items kept: what CloudFormation does to the cloud's table.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { freePort } from '../support/free-port';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../amplify/data/resource';
import {
  transformDataSchema,
  type ModelTableDefinition,
} from '../../local/appsync/transform-data-schema';
import {
  ensureModelTables,
  startDynamoDbLocal,
  type DynamoDbLocal,
} from '../../local/dynamodb/dynamodb-local';

const TABLE = 'Job-upgrade';
const STATUS_INDEX = 'jobsByStatusAndCreatedAt';

let dataDir: string;
let dynamodb: DynamoDbLocal;
let jobTable: ModelTableDefinition;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dynamodb-upgrade-'));
  const api = transformDataSchema(schema.transform().schema, {
    apiId: 'upgrade',
    tableNameOf: () => TABLE,
  });
  jobTable = api.tables.find((table) => table.modelName === 'Job')!;
  dynamodb = await startDynamoDbLocal({
    dbPath: join(dataDir, 'dynamodb'),
    port: await freePort(),
    log: () => {},
  });
});

afterAll(async () => {
  await dynamodb?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('DynamoDB Local schema upgrade', () => {
  it('adds an index the stored table lacks, keeps its items, and the index answers queries', async () => {
    // Prepare: the table as an earlier schema made it, without the status index, holding one job.
    expect(jobTable.globalSecondaryIndexes.map((index) => index.indexName)).toContain(STATUS_INDEX);
    const earlier = jobTable.globalSecondaryIndexes.filter(
      (index) => index.indexName !== STATUS_INDEX,
    );
    const keyNames = new Set(
      [...jobTable.keySchema, ...earlier.flatMap((index) => index.keySchema)].map(
        (key) => key.attributeName,
      ),
    );
    await dynamodb.client.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: jobTable.keySchema.map((key) => ({
          AttributeName: key.attributeName,
          KeyType: key.keyType,
        })),
        AttributeDefinitions: jobTable.attributeDefinitions
          .filter((attribute) => keyNames.has(attribute.attributeName))
          .map((attribute) => ({
            AttributeName: attribute.attributeName,
            AttributeType: attribute.attributeType,
          })),
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
        GlobalSecondaryIndexes: earlier.map((index) => ({
          IndexName: index.indexName,
          KeySchema: index.keySchema.map((key) => ({
            AttributeName: key.attributeName,
            KeyType: key.keyType,
          })),
          Projection: { ProjectionType: index.projectionType },
        })),
      }),
    );
    await dynamodb.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          id: { S: 'job-kept' },
          owner: { S: 'u-1::u-1' },
          status: { S: 'RENDERING' },
          createdAt: { S: '2026-01-01T00:00:00.000Z' },
        },
      }),
    );

    // Act
    const streams = await ensureModelTables(dynamodb.client, [
      { name: TABLE, definition: jobTable },
    ]);

    // Assess
    expect(streams.get(TABLE)).toMatch(/^arn:aws:dynamodb:/);
    const { Table } = await dynamodb.client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(
      Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.IndexStatus]).sort(),
    ).toEqual(jobTable.globalSecondaryIndexes.map((index) => [index.indexName, 'ACTIVE']).sort());
    const { Items } = await dynamodb.client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: STATUS_INDEX,
        KeyConditionExpression: '#status = :rendering',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':rendering': { S: 'RENDERING' } },
      }),
    );
    expect(Items?.map((item) => item.id?.S)).toEqual(['job-kept']);
  });

  it('leaves a table that already has every index as it is', async () => {
    const before = await dynamodb.client.send(new DescribeTableCommand({ TableName: TABLE }));

    await ensureModelTables(dynamodb.client, [{ name: TABLE, definition: jobTable }]);

    const after = await dynamodb.client.send(new DescribeTableCommand({ TableName: TABLE }));
    expect(after.Table?.GlobalSecondaryIndexes?.length).toBe(
      before.Table?.GlobalSecondaryIndexes?.length,
    );
    expect(after.Table?.ItemCount).toBe(before.Table?.ItemCount);
  });
});
