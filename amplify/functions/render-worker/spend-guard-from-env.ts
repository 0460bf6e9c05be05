import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { generateClient } from 'aws-amplify/data';
import { z } from 'zod';
import { FUNCTION_ENV_FIX } from '../../read-env';
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

/** A dead letter, as the archive keeps it for admins. */
export const deadLetterBody = (jobId: string, receiveCount: number, now: number): string =>
  JSON.stringify({ jobId, receiveCount, deadLetteredAt: new Date(now).toISOString() });

/** Keeps dead letters in the archive queue (`DEAD_LETTER_ARCHIVE_URL`). */
export const createDeadLetterKeeper =
  (sqs: SQSClient, archiveUrl: string, clock: Pick<Clock, 'now'>) =>
  async (jobId: string, receiveCount: number): Promise<void> => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: archiveUrl,
        MessageBody: deadLetterBody(jobId, receiveCount, clock.now()),
      }),
    );
  };

/** The archive's URL from the worker's environment, when the backend set one. */
export const deadLetterArchiveUrlOf = (
  env: Record<string, string | undefined>,
): string | undefined =>
  z
    .url()
    .optional()
    .parse(env.DEAD_LETTER_ARCHIVE_URL || undefined);
