import {
  CognitoIdentityProviderClient,
  type CognitoIdentityProviderClientConfig,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  createAppSyncDeadLetterRecords,
  createDeadLetterKeeper,
  type DeadLetterRecord,
} from '../../amplify/functions/operations/appsync-dead-letter-records';
import { createAppSyncOperationsJobs } from '../../amplify/functions/operations/appsync-operations-jobs';
import { createCognitoInvite } from '../../amplify/functions/operations/cognito-invite';
import { createOperations } from '../../amplify/functions/operations/operations';
import { createSqsOperationsQueues } from '../../amplify/functions/operations/sqs-operations-queues';
import { createCloudWatchWorkerMetrics } from '../../amplify/functions/operations/worker-metric-data';
import { createAppSyncJobStore } from '../../amplify/functions/render-worker/appsync-job-store';
import { createAppSyncSpendLedger } from '../../amplify/functions/render-worker/appsync-spend-ledger';
import { DEFAULT_SPEND_BUDGETS } from '../../contract/spend-budget';
import {
  createStubTransport,
  jsonAnswer,
  queueArnOfUrl,
  recordSdkCalls,
  type AwsCall,
  type AwsCallRecorder,
} from '../support/aws-call-recorder';
import type { FunctionFacts, SynthesizedAccount } from '../support/template-resolver';
import {
  FAKE_CREDENTIALS,
  lambdaLogWritesOf,
  recordingDataTransport,
  recordingSqsClient,
} from './recorded-function-calls';

/**
 * Drives the operations function's real adapters (SQS counts and a redrive's send, the data API for jobs, the
 * ledger and the dead-letter archive, Cognito's AdminCreateUser, CloudWatch's GetMetricData) through every admins'
 * field, with the names the synthesized templates give, and records each AWS call. Also the worker's one call on
 * the archive (keeping a dead letter). Returns the neighbours' calls the function must NOT be allowed to make.
 */
export const recordOperationsCalls = async (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
): Promise<{ fn: FunctionFacts; forbidden: AwsCall[] }> => {
  const fn = account.functionWithEnvironment('RENDER_WORKER_FUNCTION_NAME');
  const principal = fn.roleArn;
  const env = fn.environment;
  const source = 'operations function';

  // The data API, answered like a small archive with one dead letter of a FAILED job.
  const job = {
    id: 'job-1',
    compositionId: 'title-card',
    status: 'FAILED',
    errorMessage: 'gave up',
    attempts: 3,
    finishedAt: '2026-01-01T00:00:00.000Z',
    owner: 'sub-1::alice',
  };
  const archive = new Map<string, DeadLetterRecord>();
  const keepOne = () =>
    archive.set('job-1', { jobId: 'job-1', receiveCount: 3, deadLetteredAt: job.finishedAt });
  keepOne();
  const transport = await recordingDataTransport(account, recorder, fn, {
    source,
    answer: (field) => {
      if (field === 'listJobsByStatusAndCreatedAt') return { items: [job], nextToken: null };
      if (field === 'getJob' || field === 'updateJob') return job;
      if (field === 'getSpendLedger') return null;
      if (field === 'listDeadLetterRecords')
        return { items: [...archive.values()], nextToken: null };
      if (field === 'deleteDeadLetterRecord') {
        const record = archive.get('job-1') ?? null;
        archive.delete('job-1');
        return record;
      }
      throw new Error(`recordOperationsCalls does not answer ${field}`);
    },
  });
  const cognito = new CognitoIdentityProviderClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport(() =>
      jsonAnswer({ User: { Username: 'new@example.com' } }),
    ) as CognitoIdentityProviderClientConfig['requestHandler'],
  });
  recordSdkCalls(cognito, recorder, {
    principal,
    service: 'cognito-idp',
    source: `${source}: invitation`,
    resourceOf: (_, input) =>
      `arn:aws:cognito-idp:${account.region}:${account.accountId}:userpool/${String(input.UserPoolId)}`,
  });
  const operations = createOperations({
    queues: createSqsOperationsQueues(recordingSqsClient(account, recorder, principal, source), {
      renderQueueUrl: env.RENDER_QUEUE_URL!,
      deadLetterQueueUrl: env.RENDER_DLQ_URL!,
    }),
    deadLetters: createAppSyncDeadLetterRecords(transport),
    jobs: createAppSyncOperationsJobs(transport),
    jobStore: createAppSyncJobStore(transport),
    ledger: createAppSyncSpendLedger(transport),
    inviteUser: createCognitoInvite(cognito, env.USER_POOL_ID!),
    workerMetrics: {
      // GetMetricData has no resource-level permissions: IAM authorizes it on `*`.
      source: createCloudWatchWorkerMetrics(async () => {
        recorder.record({
          principal,
          action: 'cloudwatch:GetMetricData',
          resource: '*',
          context: {},
          source: `${source}: the worker's metrics`,
        });
        return { MetricDataResults: [] };
      }),
      functionName: env.RENDER_WORKER_FUNCTION_NAME!,
    },
    settings: { renderCap: 1, budgets: DEFAULT_SPEND_BUDGETS },
    now: Date.now,
  });
  await operations.getOverview();
  await operations.listDeadLetters();
  await operations.redriveDeadLetters('job-1');
  keepOne();
  await operations.redriveDeadLetters(undefined);
  keepOne();
  await operations.discardDeadLetter('job-1');
  await operations.inviteUser('new@example.com');
  for (const call of lambdaLogWritesOf(account, fn)) recorder.record(call);

  // The worker keeps a dead letter in the archive (amplify/functions/render-worker/spend-guard-from-env.ts).
  const worker = account.functionWithEnvironment('REMOTION_SERVE_URL');
  const workerTransport = await recordingDataTransport(account, recorder, worker, {
    source: 'render worker dead-letter keeper',
    answer: () => ({ jobId: 'job-1', receiveCount: 3, deadLetteredAt: job.finishedAt }),
  });
  await createDeadLetterKeeper(createAppSyncDeadLetterRecords(workerTransport), {
    now: () => Date.now(),
  })('job-1', 3);

  // Its neighbours: what the function must not do, though it works beside each of them.
  const videoUrl = account.functionWithEnvironment('VIDEO_URL_SIGNER_SECRET_ARN');
  const jobTable = `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${videoUrl.environment.JOB_TABLE_NAME}`;
  const userPool = `arn:aws:cognito-idp:${account.region}:${account.accountId}:userpool/${env.USER_POOL_ID}`;
  const renderQueue = queueArnOfUrl(env.RENDER_QUEUE_URL!);
  const deadLetterQueue = queueArnOfUrl(env.RENDER_DLQ_URL!);
  const renderFunction = account.functionNamed(worker.environment.REMOTION_FUNCTION_NAME!).arn;
  const forbidden: [string, string, string][] = [
    ['sqs:SendMessage', deadLetterQueue, 'write into the DLQ'],
    ['sqs:ReceiveMessage', renderQueue, 'take live work off the render queue'],
    ['sqs:DeleteMessage', renderQueue, 'delete live work'],
    ['sqs:PurgeQueue', deadLetterQueue, 'purge the DLQ'],
    ['dynamodb:GetItem', jobTable, "read a job's props straight from the table"],
    ['dynamodb:Scan', jobTable, 'scan the Job table'],
    [
      's3:GetObject',
      `arn:aws:s3:::${videoUrl.environment.OUTPUT_BUCKET_NAME}/renders/sub-1/job-1.mp4`,
      "read a user's video",
    ],
    ['lambda:InvokeFunction', renderFunction, 'start renders itself'],
    ['cognito-idp:AdminAddUserToGroup', userPool, 'make someone an admin'],
    ['cognito-idp:AdminDeleteUser', userPool, 'delete a user'],
    [
      'cognito-idp:AdminCreateUser',
      `arn:aws:cognito-idp:${account.region}:${account.accountId}:userpool/${account.region}_Another`,
      "invite into another environment's pool",
    ],
    ['cloudwatch:PutMetricData', '*', 'write metrics'],
  ];
  return {
    fn,
    forbidden: forbidden.map(([action, resource, what]) => ({
      principal,
      action,
      resource,
      context: {},
      source: `${source} must not ${what}`,
    })),
  };
};
