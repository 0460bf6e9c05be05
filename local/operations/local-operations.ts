import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SpendBudgets } from '../../contract/spend-budget';
import { createAppSyncOperationsJobs } from '../../amplify/functions/operations/appsync-operations-jobs';
import { createCognitoInvite } from '../../amplify/functions/operations/cognito-invite';
import { createOperations } from '../../amplify/functions/operations/operations';
import {
  createOperationsResolver,
  type OperationsEvent,
} from '../../amplify/functions/operations/operations-resolver';
import {
  createSqsOperationsQueues,
  type OperationsQueueUrls,
} from '../../amplify/functions/operations/sqs-operations-queues';
import { createPreSignUpHandler } from '../../amplify/functions/pre-sign-up/handler';
import type { GraphqlTransport } from '../../amplify/functions/render-worker/appsync-job-store';
import { createAppSyncSpendLedger } from '../../amplify/functions/render-worker/appsync-spend-ledger';
import { createDynamoSpendLedger } from '../../amplify/functions/render-worker/dynamo-spend-ledger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { JobStore } from '../../amplify/functions/render-worker/ports';
import {
  createAppSyncDeadLetterRecords,
  createDeadLetterKeeper,
} from '../../amplify/functions/operations/appsync-dead-letter-records';
import {
  createPowertoolsJobMetrics,
  createRenderMetrics,
} from '../../amplify/functions/render-worker/powertools-job-metrics';
import type { JobMetrics } from '../../amplify/functions/render-worker/ports';
import {
  createSpendGuard,
  type SpendGuard,
} from '../../amplify/functions/render-worker/spend-guard';
import { systemClock } from '../../amplify/functions/render-worker/system-clock';
import { LOCAL_ENV_READER } from '../../amplify/render-pipeline/config';
import { readSpendBudgets } from '../../amplify/render-pipeline/spend-config';
import { LOCAL_AWS_CREDENTIALS } from '../dynamodb/dynamodb-local';
import { createEmfMetricStore, type EmfMetricStore } from './emf-metric-store';

/** The worker's name in local mode: the `FunctionName` dimension of its metrics, as Lambda's name is in the cloud. */
export const LOCAL_WORKER_FUNCTION_NAME = 'render-worker-local';

/** How long a local "Redrive all" may run, as the cloud function's timeout bounds it there. */
const LOCAL_CALL_MS = 30_000;

/** The fields of amplify/data/operations-schema.ts that the operations function resolves. */
export const OPERATIONS_FIELDS = [
  'getOperationsOverview',
  'listDeadLetters',
  'redriveDeadLetters',
  'discardDeadLetter',
  'inviteUser',
] as const;

/** Local mode's Operations: the cloud's resolver, spend guard, dead-letter keeper and sign-up trigger. */
export interface LocalOperations {
  budgets: SpendBudgets;
  /** For the AppSync simulator, by field name. */
  lambdaResolvers: Record<string, (event: unknown) => Promise<unknown>>;
  /** For cognito-local; absent when local sign-up stays open. */
  cognitoTriggers?: Record<string, (event: Record<string, unknown>) => Promise<unknown>>;
  /** What the worker emits (Powertools EMF documents), kept for the Operations view's figures. */
  metrics: EmfMetricStore;
  /** The worker's part, over the worker's own transport: budgets, dead letters kept, and its metrics. */
  bindWorker(ports: {
    transport: GraphqlTransport;
    /** The ledger's table in DynamoDB Local, which the worker writes directly as in the cloud. */
    spendLedger: { endpoint: string; region: string; tableName: string };
  }): {
    spendGuard: SpendGuard;
    keepDeadLetter: (jobId: string, receiveCount: number) => Promise<void>;
    metrics: JobMetrics;
  };
  /** The resolver's ports, once the plane and the queues are up. */
  bindResolvers(ports: {
    transport: GraphqlTransport;
    store: JobStore;
    sqs: SQSClient;
    queueUrls: OperationsQueueUrls;
    cognito: { endpoint: string; region: string; userPoolId: string };
  }): void;
  stop(): void;
}

/** Builds local mode's Operations; the resolvers answer "still starting" until {@link LocalOperations.bindResolvers}. */
export function startLocalOperations(options: {
  signUpAllowList: string | undefined;
  spendBudgets: Partial<SpendBudgets> | undefined;
  renderCap: number;
}): LocalOperations {
  const budgets: SpendBudgets = {
    ...readSpendBudgets(process.env, LOCAL_ENV_READER),
    ...options.spendBudgets,
  };
  let resolve: ReturnType<typeof createOperationsResolver> | undefined;
  const metrics = createEmfMetricStore();
  let cognitoClient: CognitoIdentityProviderClient | undefined;
  const resolver = async (event: unknown) => {
    if (!resolve) throw new Error('The local stack is still starting.');
    const deadline = Date.now() + LOCAL_CALL_MS;
    return resolve(event as OperationsEvent, { timeLeft: () => deadline - Date.now() });
  };
  return {
    budgets,
    metrics,
    lambdaResolvers: Object.fromEntries(OPERATIONS_FIELDS.map((field) => [field, resolver])),
    // Local sign-up stays open unless SIGN_UP_ALLOW_LIST is set; then cognito-local runs the cloud's trigger.
    ...(options.signUpAllowList !== undefined
      ? {
          cognitoTriggers: {
            PreSignUp: createPreSignUpHandler(options.signUpAllowList) as (
              event: Record<string, unknown>,
            ) => Promise<unknown>,
          },
        }
      : {}),
    bindWorker: ({ transport, spendLedger }) => ({
      spendGuard: createSpendGuard(
        createDynamoSpendLedger(
          new DynamoDBClient({
            endpoint: spendLedger.endpoint,
            region: spendLedger.region,
            credentials: LOCAL_AWS_CREDENTIALS,
          }),
          spendLedger.tableName,
        ),
        budgets,
        systemClock,
      ),
      keepDeadLetter: createDeadLetterKeeper(
        createAppSyncDeadLetterRecords(transport),
        systemClock,
      ),
      // The cloud worker's metrics code, its documents kept here instead of going to stdout.
      metrics: createPowertoolsJobMetrics(
        createRenderMetrics(LOCAL_WORKER_FUNCTION_NAME, metrics.createMetrics),
      ),
    }),
    bindResolvers({ transport, store, sqs, queueUrls, cognito }) {
      cognitoClient = new CognitoIdentityProviderClient({
        endpoint: cognito.endpoint,
        region: cognito.region,
        credentials: LOCAL_AWS_CREDENTIALS,
      });
      resolve = createOperationsResolver(
        createOperations({
          queues: createSqsOperationsQueues(sqs, queueUrls),
          deadLetters: createAppSyncDeadLetterRecords(transport),
          workerMetrics: { source: metrics.source, functionName: LOCAL_WORKER_FUNCTION_NAME },
          jobs: createAppSyncOperationsJobs(transport),
          jobStore: store,
          ledger: createAppSyncSpendLedger(transport),
          inviteUser: createCognitoInvite(cognitoClient, cognito.userPoolId),
          settings: { renderCap: options.renderCap, budgets },
          now: Date.now,
        }),
      );
    },
    stop() {
      cognitoClient?.destroy();
    },
  };
}
