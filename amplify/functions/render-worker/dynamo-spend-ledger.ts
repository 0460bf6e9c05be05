import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { LedgerEntry, SpendLedgerStore } from './spend-guard';

const TYPENAME = 'SpendLedger';

const entryOf = (item: Record<string, unknown> | undefined): LedgerEntry | null =>
  item
    ? {
        ledgerKey: String(item.ledgerKey),
        reservedUsd: Number(item.reservedUsd ?? 0),
        renders: Number(item.renders ?? 0),
        version: Number(item.version ?? 0),
        admittedAt: typeof item.admittedAt === 'string' ? item.admittedAt : null,
        settled: typeof item.settled === 'boolean' ? item.settled : null,
      }
    : null;

/**
 * The spend ledger in its DynamoDB table (the SpendLedger model's, written the way AppSync writes it: same fields,
 * `__typename`, `createdAt`/`updatedAt`, so the operations API still reads it through AppSync).
 *
 * A budget period's entry is hot: every render start of the day adds to it. Through AppSync the only safe write
 * was read-then-compare-and-set, which concurrent starts kept invalidating (BENCHMARKS.md, "Where the pipeline's
 * time went"). Here each addition is one `UpdateItem` with `ADD` and the ceiling as its condition: DynamoDB applies
 * it atomically or refuses it, so the budget holds under any number of concurrent starts with no retry loop.
 */
export const createDynamoSpendLedger = (client: DynamoDBClient, tableName: string) => {
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const nowIso = () => new Date().toISOString();

  const store: Required<SpendLedgerStore> = {
    async get(ledgerKey) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: tableName, Key: { ledgerKey }, ConsistentRead: true }),
      );
      return entryOf(Item);
    },

    async put(entry, expectedVersion) {
      const now = nowIso();
      try {
        await documents.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...entry,
              __typename: TYPENAME,
              createdAt: now,
              updatedAt: now,
            },
            ...(expectedVersion === null
              ? { ConditionExpression: 'attribute_not_exists(ledgerKey)' }
              : {
                  ConditionExpression: 'version = :expected',
                  ExpressionAttributeValues: { ':expected': expectedVersion },
                }),
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },

    async add(ledgerKey, change, ceiling) {
      const usd = change.usd ?? 0;
      const renders = change.renders ?? 0;
      const now = nowIso();
      // The entry before this addition may hold at most the ceiling minus what this adds.
      const condition = ceiling
        ? ceiling.field === 'reservedUsd'
          ? 'attribute_not_exists(reservedUsd) OR reservedUsd <= :roomUsd'
          : 'attribute_not_exists(renders) OR renders <= :roomRenders'
        : undefined;
      try {
        const { Attributes } = await documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { ledgerKey },
            UpdateExpression:
              'ADD reservedUsd :usd, renders :renders, version :one ' +
              'SET createdAt = if_not_exists(createdAt, :now), updatedAt = :now, #typename = :typename',
            ...(condition ? { ConditionExpression: condition } : {}),
            ExpressionAttributeNames: { '#typename': '__typename' },
            ExpressionAttributeValues: {
              ':usd': usd,
              ':renders': renders,
              ':one': 1,
              ':now': now,
              ':typename': TYPENAME,
              // A hair of slack, as in the compare-and-set path: reserves summing to the budget are within it.
              ...(ceiling?.field === 'reservedUsd' ? { ':roomUsd': ceiling.max - usd + 1e-9 } : {}),
              ...(ceiling?.field === 'renders' ? { ':roomRenders': ceiling.max - renders } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return { written: true, entry: entryOf(Attributes)! };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Refused: answer the entry as it stands, for the message that names the budget.
        const current = await store.get(ledgerKey);
        return {
          written: false,
          entry: current ?? { ledgerKey, reservedUsd: 0, renders: 0, version: 0 },
        };
      }
    },
  };
  return store;
};
