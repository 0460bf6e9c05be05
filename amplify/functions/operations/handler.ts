import { Logger } from '@aws-lambda-powertools/logger';
import { getAmplifyDataClientConfig } from '@aws-amplify/backend/function/runtime';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import { z } from 'zod';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import {
  createAmplifyGraphqlTransport,
  createAppSyncJobStore,
  type DataClientEnv,
} from '../render-worker/appsync-job-store';
import { createAppSyncSpendLedger } from '../render-worker/appsync-spend-ledger';
import { createAppSyncDeadLetterRecords } from './appsync-dead-letter-records';
import { createAppSyncOperationsJobs } from './appsync-operations-jobs';
import { createCognitoInvite } from './cognito-invite';
import { createOperations, OperationsError } from './operations';
import { claimsOf, createOperationsResolver, type OperationsEvent } from './operations-resolver';
import { createSqsOperationsQueues } from './sqs-operations-queues';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { createCloudWatchWorkerMetrics } from './worker-metric-data';

const money = (name: string) =>
  z.coerce.number({ error: `${name} must be a number of US dollars` }).positive();
const envSchema = z.object({
  RENDER_QUEUE_URL: z.url({ error: 'RENDER_QUEUE_URL must be the render queue URL' }),
  RENDER_DLQ_URL: z.url({ error: 'RENDER_DLQ_URL must be the render DLQ URL' }),
  USER_POOL_ID: z.string().min(1, { error: 'USER_POOL_ID must name the user pool' }),
  RENDER_WORKER_FUNCTION_NAME: z.string().min(1, {
    error: "RENDER_WORKER_FUNCTION_NAME must name the render worker (its metrics' FunctionName)",
  }),
  RENDER_CAP: z.coerce.number().int().min(1),
  DAILY_BUDGET_USD: money('DAILY_BUDGET_USD'),
  MONTHLY_BUDGET_USD: money('MONTHLY_BUDGET_USD'),
  DAILY_RENDERS_PER_USER: z.coerce.number().int().min(1),
  RENDER_RESERVE_USD: money('RENDER_RESERVE_USD'),
});

const logger = new Logger({ serviceName: 'operations' });
let resolve: ReturnType<typeof createOperationsResolver> | undefined;

// Ports from the environment, built on first use.
const build = async () => {
  const env = readEnv(envSchema, process.env, {
    what: "The operations function's environment",
    fix: FUNCTION_ENV_FIX,
  });
  const { resourceConfig, libraryOptions } = await getAmplifyDataClientConfig(
    process.env as DataClientEnv,
  );
  const { endpoint, region, defaultAuthMode } = resourceConfig.API.GraphQL;
  Amplify.configure({ API: { GraphQL: { endpoint, region, defaultAuthMode } } }, libraryOptions);
  const send = createAmplifyGraphqlTransport(
    generateClient({ authMode: 'iam' }) as unknown as Parameters<
      typeof createAmplifyGraphqlTransport
    >[0],
  );
  const cloudWatch = new CloudWatchClient({});
  return createOperationsResolver(
    createOperations({
      queues: createSqsOperationsQueues(new SQSClient({}), {
        renderQueueUrl: env.RENDER_QUEUE_URL,
        deadLetterQueueUrl: env.RENDER_DLQ_URL,
      }),
      deadLetters: createAppSyncDeadLetterRecords(send),
      // The last hour from what the worker emitted (its EMF lines, as CloudWatch metrics).
      workerMetrics: {
        source: createCloudWatchWorkerMetrics((input) =>
          cloudWatch.send(new GetMetricDataCommand(input)),
        ),
        functionName: env.RENDER_WORKER_FUNCTION_NAME,
      },
      jobs: createAppSyncOperationsJobs(send),
      jobStore: createAppSyncJobStore(send),
      ledger: createAppSyncSpendLedger(send),
      inviteUser: createCognitoInvite(new CognitoIdentityProviderClient({}), env.USER_POOL_ID),
      settings: {
        renderCap: env.RENDER_CAP,
        budgets: {
          dailyBudgetUsd: env.DAILY_BUDGET_USD,
          monthlyBudgetUsd: env.MONTHLY_BUDGET_USD,
          dailyRendersPerUser: env.DAILY_RENDERS_PER_USER,
          renderReserveUsd: env.RENDER_RESERVE_USD,
        },
      },
      now: Date.now,
    }),
  );
};

/** Lambda entry: one JSON log line per call, naming the admin, the field and the job it acts on (a dead letter's). */
export const handler = async (
  event: OperationsEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<unknown> => {
  const jobId = event.arguments?.messageId;
  const fields = {
    field: event.fieldName,
    adminSub: claimsOf(event.identity)?.sub,
    ...(typeof jobId === 'string' ? { jobId } : {}),
  };
  try {
    resolve ??= await build();
    const result = await resolve(
      event,
      context ? { timeLeft: () => context.getRemainingTimeInMillis() } : {},
    );
    logger.info('operation done', fields);
    return result;
  } catch (error) {
    if (error instanceof OperationsError)
      logger.warn('operation refused', { ...fields, reason: error.message });
    else logger.error('operation failed', { ...fields, error });
    throw error;
  }
};
