import { generateClient } from 'aws-amplify/data';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import { createDynamoSpendLedger } from './dynamo-spend-ledger';
import {
  createAppSyncDeadLetterRecords,
  createDeadLetterKeeper,
} from '../operations/appsync-dead-letter-records';
import { readSpendBudgets } from '../../render-pipeline/spend-config';
import { createAmplifyGraphqlTransport } from './appsync-job-store';
import type { Clock } from './ports';
import { createSpendGuard, type SpendGuard } from './spend-guard';

const ledgerEnvSchema = z.object({
  SPEND_LEDGER_TABLE_NAME: z
    .string({ error: 'the name of the SpendLedger DynamoDB table' })
    .trim()
    .min(3, { error: 'the name of the SpendLedger DynamoDB table' }),
});

/** The worker's spend guard over the ledger's table (`SPEND_LEDGER_TABLE_NAME`): one atomic write per budget entry. */
export const createSpendGuardFromFunctionEnv = (
  env: Record<string, string | undefined>,
  clock: Clock,
): SpendGuard => {
  const reader = { what: "The render worker's environment", fix: FUNCTION_ENV_FIX };
  const { SPEND_LEDGER_TABLE_NAME } = readEnv(ledgerEnvSchema, env, reader);
  return createSpendGuard(
    createDynamoSpendLedger(new DynamoDBClient({}), SPEND_LEDGER_TABLE_NAME),
    readSpendBudgets(env, reader),
    clock,
  );
};

/** The worker's dead-letter keeper over the data API (the DeadLetterRecord model), once Amplify is configured. */
export const createDeadLetterKeeperFromFunctionEnv = (
  clock: Pick<Clock, 'now'>,
): ((jobId: string, receiveCount: number) => Promise<void>) =>
  createDeadLetterKeeper(
    createAppSyncDeadLetterRecords(
      createAmplifyGraphqlTransport(
        generateClient({ authMode: 'iam' }) as unknown as Parameters<
          typeof createAmplifyGraphqlTransport
        >[0],
      ),
    ),
    clock,
  );
