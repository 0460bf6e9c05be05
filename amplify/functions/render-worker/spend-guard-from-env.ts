import { generateClient } from 'aws-amplify/data';
import { FUNCTION_ENV_FIX } from '../../read-env';
import {
  createAppSyncDeadLetterRecords,
  createDeadLetterKeeper,
} from '../operations/appsync-dead-letter-records';
import { readSpendBudgets } from '../../render-pipeline/spend-config';
import { createAmplifyGraphqlTransport } from './appsync-job-store';
import { createAppSyncSpendLedger } from './appsync-spend-ledger';
import type { Clock } from './ports';
import { createSpendGuard, type SpendGuard } from './spend-guard';

/** The worker's spend guard over the data API, once Amplify is configured (`createJobStoreFromFunctionEnv`). */
export const createSpendGuardFromFunctionEnv = (
  env: Record<string, string | undefined>,
  clock: Clock,
): SpendGuard =>
  createSpendGuard(
    createAppSyncSpendLedger(
      createAmplifyGraphqlTransport(
        generateClient({ authMode: 'iam' }) as unknown as Parameters<
          typeof createAmplifyGraphqlTransport
        >[0],
      ),
    ),
    readSpendBudgets(env, { what: "The render worker's environment", fix: FUNCTION_ENV_FIX }),
    clock,
  );

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
