import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getAmplifyDataClientConfig } from '@aws-amplify/backend/function/runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HttpRequest } from '@smithy/protocol-http';
import type { AppSyncIdentityCognito } from 'aws-lambda';
import { MAX_INPUT_PROPS_BYTES } from '../../contract/job-contract';
import {
  createAppSyncJobStore,
  type GraphqlTransport,
} from '../../amplify/functions/render-worker/appsync-job-store';
import { createRemotionLambdaRenderer } from '../../amplify/functions/render-worker/remotion-lambda-renderer';
import { reconcileJobs } from '../../amplify/functions/render-worker/reconcile-jobs';
import { createSqsJobQueue } from '../../amplify/functions/render-worker/sqs-job-queue';
import { createDynamoSpendLedger } from '../../amplify/functions/render-worker/dynamo-spend-ledger';
import { withDynamoReads } from '../../amplify/functions/render-worker/dynamo-job-reads';
import { parseWorkerEnv } from '../../amplify/functions/render-worker/worker-config';
import { createDynamoJobLoader } from '../../amplify/functions/video-url/dynamo-job-loader';
import { createVideoUrlHandler } from '../../amplify/functions/video-url/handler';
import { createS3UrlSigner } from '../../amplify/functions/video-url/s3-url-signer';
import {
  awsCallsOfHttpRequest,
  bodyTextOf,
  createStubTransport,
  jsonAnswer,
  md5Of,
  queueArnOfUrl,
  recordSdkCalls,
  s3GetOfPresignedUrl,
  type AwsCallRecorder,
  type StubAnswer,
} from '../support/aws-call-recorder';
import type { RemotionStartPayload } from '../support/remotion-function-calls';
import type { FunctionFacts, SynthesizedAccount } from '../support/template-resolver';
import { createWebhookSecretReader } from '../../amplify/functions/remotion-webhook/webhook-secret';
import { recordingWebhookSecrets } from './recorded-webhook-calls';

/**
 * Drives the real adapters of our functions (render worker: SQS job queue, Remotion renderer,
 * Amplify data runtime and AppSync job store; job reconciler; video-url loader and signer)
 * against stubbed transports, with the names the synthesized templates give
 * every resource, and records each AWS call they make.
 */

// Credentials for SDK clients that sign requests nobody checks.
export const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAFAKEFAKEFAKEFAKE',
  secretAccessKey: 'fake-secret-key-0000',
};

const toEnvCredentials = () => ({
  AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: 'fake-session-token',
});

/** Runs `action` with `vars` in process.env (Remotion reads credentials and endpoints there), then restores it. */
const withEnv = async <T>(vars: Record<string, string>, action: () => Promise<T>): Promise<T> => {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await action();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
};

const JOB_ID = 'job-1';
const OWNER_SUB = 'sub-1';
const RENDER_ID = 'render-1';

/** The Lambda runtime's own calls for a function: writing its logs with its role. */
export const lambdaLogWritesOf = (account: SynthesizedAccount, fn: FunctionFacts) => {
  const group = `arn:aws:logs:${account.region}:${account.accountId}:log-group:${fn.logGroupName}`;
  const createsGroup = !account
    .resourcesOfType('AWS::Logs::LogGroup')
    .some(({ stack, logicalId }) => account.ref(stack, logicalId) === fn.logGroupName);
  return [
    // Without a LogGroup resource, Lambda creates `/aws/lambda/<name>` on first write.
    ...(createsGroup ? [{ action: 'logs:CreateLogGroup', resource: group }] : []),
    { action: 'logs:CreateLogStream', resource: `${group}:log-stream:2025/01/01/[$LATEST]0` },
    { action: 'logs:PutLogEvents', resource: `${group}:log-stream:2025/01/01/[$LATEST]0` },
  ].map(({ action, resource }) => ({
    principal: fn.roleArn,
    action,
    resource,
    context: {},
    source: `Lambda: logs of ${fn.name}`,
  }));
};

/** A local endpoint for STS: Remotion's `getAccountId` builds its STS client without our requestHandler. */
const startStsStub = async (onCall: () => void, accountId: string) => {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      onCall();
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>arn:aws:sts::${accountId}:assumed-role/worker/session</Arn><UserId>AROAFAKE:session</UserId>` +
          `<Account>${accountId}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId>` +
          `</ResponseMetadata></GetCallerIdentityResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

/** Remotion's progress.json at three moments: just started, stitched but not finalized, done. */
const progressFiles = (payload: RemotionStartPayload, functionName: string) => {
  const base = {
    cancellationEnabled: payload.enableCancellation,
    chunks: [] as number[],
    framesRendered: 0,
    framesEncoded: 0,
    combinedFrames: 0,
    timeToCombine: null as number | null,
    timeToEncode: null,
    lambdasInvoked: 0,
    retries: [],
    postRenderData: null as unknown,
    timings: [],
    renderMetadata: null as unknown,
    errors: [],
    fatalErrorTimestamp: null,
    timeToRenderFrames: null,
    timeoutTimestamp: Date.now() + 120_000,
    functionLaunched: Date.now(),
    serveUrlOpened: null,
    compositionValidated: null,
    receivedArtifact: [],
  };
  const renderMetadata = {
    type: 'video',
    imageFormat: 'jpeg',
    muted: false,
    frameRange: [0, 29],
    everyNthFrame: 1,
    codec: 'h264',
    siteId: payload.serveUrl,
    startedDate: Date.now(),
    totalChunks: 1,
    estimatedTotalLambdaInvokations: 2,
    estimatedRenderLambdaInvokations: 1,
    compositionId: 'composition',
    audioCodec: null,
    inputProps: { type: 'payload', payload: '{}' },
    framesPerLambda: 30,
    memorySizeInMb: 2048,
    functionName,
    rendererFunctionName: functionName,
    lambdaVersion: '4.0.527',
    region: 'us-east-1',
    renderId: RENDER_ID,
    outName: payload.outName,
    outputFileIsConditional: true,
    privacy: payload.privacy,
    deleteAfter: null,
    numberOfGifLoops: null,
    audioBitrate: null,
    downloadBehavior: { type: 'play-in-browser' },
    metadata: null,
    dimensions: { width: 1280, height: 720 },
    scale: 1,
  };
  // Audio and video chunks of the one chunk, all combined: Remotion then HEADs the output.
  const stitched = {
    ...base,
    renderMetadata,
    chunks: [0, 0],
    framesRendered: 30,
    framesEncoded: 30,
    combinedFrames: 30,
    timeToCombine: 100,
  };
  const cost = {
    estimatedCost: 0.01,
    estimatedDisplayCost: '$0.01',
    currency: 'USD',
    disclaimer: '',
  };
  const done = {
    ...stitched,
    postRenderData: {
      cost,
      renderSize: 1000,
      outputSize: 1000,
      timeToFinish: 1000,
      timeToRenderChunks: 500,
      timeToRenderFrames: 400,
      timeToEncode: 100,
      timeToCombine: 100,
      timeToCleanUp: 10,
      filesCleanedUp: 0,
      errors: [],
      retriesInfo: [],
      mostExpensiveFrameRanges: [],
      estimatedBillingDurationInMilliseconds: 1000,
      outputFile: { sizeInBytes: 1000, url: 'https://example.com/out.mp4' },
    },
  };
  return { started: base, stitched, done };
};

/** What recording the render worker yields besides its calls. */
export interface RecordedWorker {
  fn: FunctionFacts;
  /** The `start` payload `renderMediaOnLambda` sent to the Remotion function. */
  startPayload: RemotionStartPayload;
  /** The worker's environment as deployed (SSM values filled in). */
  env: ReturnType<typeof parseWorkerEnv>;
  renderId: string;
}

/** The job as AppSync and DynamoDB answer it: finished, with its video. */
const finishedJob = () => ({
  id: JOB_ID,
  owner: `${OWNER_SUB}::alice`,
  compositionId: 'title-card',
  inputProps: '{}',
  status: 'SUCCEEDED',
  cancelRequested: false,
  attempts: 1,
  createdAt: '2025-01-01T00:00:00.000Z',
  outputKey: `renders/${OWNER_SUB}/${JOB_ID}.mp4`,
});

/** How to call each job store method (by name: the store's interface grows with the reconciler). */
const STORE_CALLS: Record<
  string,
  (store: Record<string, (...args: unknown[]) => Promise<unknown>>) => Promise<unknown>
> = {
  get: (store) => store.get!(JOB_ID),
  update: (store) => store.update!(JOB_ID, { status: 'RENDERING' }, { progress: 0.5 }),
  listActiveJobs: (store) => store.listActiveJobs!(),
  listRenderingJobs: (store) => store.listRenderingJobs!(),
  listWaitingRowIds: (store) => store.listWaitingRowIds!(`${OWNER_SUB}::alice`, 2),
  listActiveJobsOfOwner: (store) =>
    store.listActiveJobsOfOwner!({ id: JOB_ID, owner: `${OWNER_SUB}::alice`, createdAt: null }, 1),
  listRenderSlots: async (store) => {
    await store.listRenderSlots!(`${OWNER_SUB}::alice`);
    return store.listRenderSlots!();
  },
  createRenderSlot: (store) =>
    store.createRenderSlot!({ jobOwner: `${OWNER_SUB}::alice`, slot: 0, jobId: JOB_ID }),
  deleteRenderSlot: (store) =>
    store.deleteRenderSlot!({ jobOwner: `${OWNER_SUB}::alice`, slot: 0, jobId: JOB_ID }),
};

/** A real SQS client over a stub transport, recording each call as `principal`. */
export const recordingSqsClient = (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
  principal: string,
  source: string,
) => {
  const client = new SQSClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport((request) => {
      const input = JSON.parse(bodyTextOf(request)) as { MessageBody?: string };
      return jsonAnswer(
        input.MessageBody === undefined
          ? {}
          : { MessageId: 'message-1', MD5OfMessageBody: md5Of(input.MessageBody) },
      );
    }),
  });
  recordSdkCalls(client, recorder, {
    principal,
    service: 'sqs',
    source,
    resourceOf: (_, input) => queueArnOfUrl(String(input.QueueUrl)),
  });
  return client;
};

/** A function's environment as it runs: Amplify's shim fills the variables it keeps in SSM. */
const runtimeEnvironmentOf = (account: SynthesizedAccount, fn: FunctionFacts) => {
  const ssmPaths = JSON.parse(fn.environment.AMPLIFY_SSM_ENV_CONFIG ?? '{}') as Record<
    string,
    { path: string }
  >;
  const fromSsm = Object.fromEntries(
    Object.entries(ssmPaths).map(([name, { path }]) => [name, account.ssmParameter(path)]),
  );
  return {
    env: { ...fn.environment, ...fromSsm },
    fromSsm,
    ssmPaths: Object.values(ssmPaths).map(({ path }) => path),
  };
};

/**
 * The data API transport a function builds from its environment (Amplify's data client, IAM), with
 * every call recorded: Amplify's SSM shim at cold start, the model introspection schema read by
 * `getAmplifyDataClientConfig`, then each GraphQL operation, which `answer` answers by root field.
 */
export const recordingDataTransport = async (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
  fn: FunctionFacts,
  { source, answer }: { source: string; answer: (field: string) => unknown },
) => {
  const principal = fn.roleArn;
  const { fromSsm, ssmPaths } = runtimeEnvironmentOf(account, fn);
  for (const path of ssmPaths) {
    // @aws-amplify/backend-function lib/lambda-shims/resolve_ssm_params.js: `ssm.getParameters`.
    recorder.record({
      principal,
      action: 'ssm:GetParameters',
      resource: `arn:aws:ssm:${account.region}:${account.accountId}:parameter${path}`,
      context: {},
      source: `${source}: Amplify's SSM shim at cold start`,
    });
  }
  const s3 = new S3Client({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport(() => ({ body: '{}' })),
  });
  recordSdkCalls(s3, recorder, {
    principal,
    service: 's3',
    source: `${source}: getAmplifyDataClientConfig`,
    resourceOf: (_, input) => `arn:aws:s3:::${String(input.Bucket)}/${String(input.Key)}`,
  });
  const dataConfig = await getAmplifyDataClientConfig(
    { ...fromSsm, AWS_REGION: account.region, ...toEnvCredentials() } as Parameters<
      typeof getAmplifyDataClientConfig
    >[0],
    s3,
  );
  const endpoint = String(dataConfig.resourceConfig.API?.GraphQL?.endpoint);
  const apiId = /^https:\/\/([a-z0-9]+)\.appsync-api\./.exec(endpoint)?.[1];
  if (!apiId)
    throw new Error(`${fn.name} reads no AppSync endpoint from its environment: ${endpoint}`);
  // AppSync authorizes IAM callers per top-level field.
  const transport: GraphqlTransport = async (query) => {
    const operation = /^\s*(query|mutation)\s+\w+[^{]*\{\s*(\w+)/.exec(query);
    if (!operation) throw new Error(`Cannot read the root field of ${query}`);
    const [, kind, field] = operation as unknown as [string, string, string];
    recorder.record({
      principal,
      action: 'appsync:GraphQL',
      resource: `arn:aws:appsync:${account.region}:${account.accountId}:apis/${apiId}/types/${kind === 'query' ? 'Query' : 'Mutation'}/fields/${field}`,
      context: {},
      source: `${source}: job store (${field})`,
    });
    return { [field]: answer(field) };
  };
  return transport;
};

/** The job store a function builds from its environment (`createJobStoreFromFunctionEnv`), every call recorded. */
const recordingJobStore = async (...args: Parameters<typeof recordingDataTransport>) =>
  createAppSyncJobStore(await recordingDataTransport(...args));

/** One record that reads as a job and as a render slot: what the worker's store calls get back. */
const anyItemAnswer = (field: string) => {
  const item = { ...finishedJob(), jobOwner: `${OWNER_SUB}::alice`, slot: 0, jobId: JOB_ID };
  return field.startsWith('list') ? { items: [item], nextToken: null } : item;
};

/** The render worker's calls: job queue, Remotion client, Amplify data runtime and AppSync store. */
export const recordRenderWorkerCalls = async (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
): Promise<RecordedWorker> => {
  const fn = account.functionWithEnvironment('REMOTION_SERVE_URL');
  const principal = fn.roleArn;
  const env = parseWorkerEnv(runtimeEnvironmentOf(account, fn).env);

  // SQS: the job queue adapter over a real client.
  const sqs = recordingSqsClient(account, recorder, principal, 'render worker job queue');
  const queue = createSqsJobQueue({
    client: sqs,
    queueUrl: env.RENDER_QUEUE_URL,
    deadLetterQueueUrl: env.RENDER_DLQ_URL,
  });
  await queue.retryLater('receipt-1', 30);
  await queue.retryLater('receipt-2', 30, 'dead-letter');
  await queue.continueLater(JOB_ID, 60);
  await queue.wakeRow(JOB_ID, 0);

  // Remotion: every HTTP request its client makes, answered like the render function and S3 would.
  // Set by the stub transport as requests arrive (an object, so the compiler sees the writes).
  const seen: { phase: string; startPayload?: RemotionStartPayload; progressFile: unknown } = {
    phase: '',
    progressFile: null,
  };
  const answerRemotion = (request: HttpRequest): StubAnswer => {
    for (const call of awsCallsOfHttpRequest(request, {
      principal,
      source: `render worker Remotion client: ${seen.phase}`,
      accountId: account.accountId,
    })) {
      recorder.record(call);
    }
    if (request.hostname.startsWith('lambda.')) {
      const payload = JSON.parse(bodyTextOf(request)) as { type: string };
      if (payload.type === 'start') {
        seen.startPayload = payload as RemotionStartPayload;
        return {
          body: JSON.stringify({
            type: 'success',
            renderId: RENDER_ID,
            bucketName: seen.startPayload.bucketName,
          }),
        };
      }
      // A renderer that reads progress through the function (no `skipLambdaInvocation`).
      return {
        body: JSON.stringify({
          type: 'success',
          done: false,
          fatalErrorEncountered: false,
          errors: [],
          overallProgress: 0.5,
          framesRendered: 15,
          costs: { accruedSoFar: 0.01, displayCost: '$0.01', currency: 'USD', disclaimer: '' },
          renderMetadata: null,
          renderId: RENDER_ID,
        }),
      };
    }
    if (request.method === 'GET') return { body: JSON.stringify(seen.progressFile) };
    if (request.method === 'HEAD') return { statusCode: 404 };
    return { headers: { etag: '"etag"' } };
  };
  const sts = await startStsStub(
    () =>
      recorder.record({
        principal,
        action: 'sts:GetCallerIdentity',
        resource: '*',
        context: {},
        source: `render worker Remotion client: ${seen.phase}`,
        needsNoPermission: 'GetCallerIdentity needs no permission and cannot be denied',
      }),
    account.accountId,
  );
  try {
    await withEnv({ ...toEnvCredentials(), AWS_ENDPOINT_URL_STS: sts.endpoint }, async () => {
      const renderer = createRemotionLambdaRenderer({
        functionName: env.REMOTION_FUNCTION_NAME,
        serveUrl: env.REMOTION_SERVE_URL,
        region: env.REMOTION_REGION,
        outputBucket: env.OUTPUT_BUCKET_NAME,
        outputPrefix: env.OUTPUT_PREFIX,
        remotionBucket: env.REMOTION_BUCKET_NAME,
        concurrencyPerRender: env.REMOTION_CONCURRENCY_PER_RENDER,
        // Remotion's webhook, as the handler passes it: the secret is read from Secrets Manager.
        ...(env.REMOTION_WEBHOOK_URL && env.REMOTION_WEBHOOK_SECRET_ARN
          ? {
              webhook: {
                url: env.REMOTION_WEBHOOK_URL,
                secret: createWebhookSecretReader({
                  secrets: recordingWebhookSecrets(
                    account,
                    recorder,
                    principal,
                    'render worker webhook secret',
                  ),
                  secretArn: env.REMOTION_WEBHOOK_SECRET_ARN,
                }),
              },
            }
          : {}),
        requestHandler: createStubTransport(answerRemotion) as never,
      });
      seen.phase = 'start (largest allowed props)';
      // The largest props a user may send: Remotion uploads props over its inline limit to its bucket.
      await renderer.start({
        jobId: JOB_ID,
        owner: `${OWNER_SUB}::alice`,
        compositionId: 'title-card',
        inputProps: { text: 'x'.repeat(MAX_INPUT_PROPS_BYTES - 20) },
      });
      if (!seen.startPayload) {
        throw new Error('renderMediaOnLambda sent no start request to the render function');
      }
      const files = progressFiles(seen.startPayload, env.REMOTION_FUNCTION_NAME);
      for (const [name, file] of Object.entries(files)) {
        seen.phase = `getProgress (${name})`;
        seen.progressFile = file;
        await renderer.getProgress(RENDER_ID);
      }
      seen.phase = 'cancel';
      seen.progressFile = files.started;
      await renderer.cancel(RENDER_ID);
    });
  } finally {
    await sts.close();
  }
  const startPayload = seen.startPayload;
  if (!startPayload) throw new Error('renderMediaOnLambda sent no start request');

  // The store as the handler builds it: Job writes through AppSync, reads and render slots on the tables.
  const tablesClient = new DynamoDBClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport(() =>
      jsonAnswer({
        Item: { id: { S: JOB_ID }, owner: { S: `${OWNER_SUB}::alice` }, status: { S: 'QUEUED' } },
        Items: [],
        Count: 0,
      }),
    ),
  });
  recordSdkCalls(tablesClient, recorder, {
    principal,
    service: 'dynamodb',
    source: 'render worker job reads and render slots',
    // A query of an index is judged against the index's ARN.
    resourceOf: (_, input) =>
      `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${String(input.TableName)}${
        input.IndexName ? `/index/${String(input.IndexName)}` : ''
      }`,
  });
  const store = withDynamoReads(
    await recordingJobStore(account, recorder, fn, {
      source: 'render worker',
      answer: anyItemAnswer,
    }),
    tablesClient,
    { jobTable: env.JOB_TABLE_NAME, renderSlotTable: env.RENDER_SLOT_TABLE_NAME },
  );
  // Every method of the store, so a new one cannot slip past this check.
  const methods = store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of Object.keys(methods)) {
    const exercise = STORE_CALLS[method];
    if (!exercise) {
      throw new Error(
        `The job store has a method "${method}" that this test does not call: add it to STORE_CALLS in tests/infra/recorded-function-calls.ts.`,
      );
    }
    await exercise(methods);
  }

  // The spend ledger, written directly in its table: every method of the real store.
  const ledgerTable = runtimeEnvironmentOf(account, fn).env.SPEND_LEDGER_TABLE_NAME;
  if (!ledgerTable) throw new Error('The worker has no SPEND_LEDGER_TABLE_NAME');
  const ledgerClient = new DynamoDBClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport(() =>
      jsonAnswer({
        Item: {
          ledgerKey: { S: 'day#2026-12-05' },
          reservedUsd: { N: '0' },
          renders: { N: '0' },
          version: { N: '1' },
        },
        Attributes: {
          ledgerKey: { S: 'day#2026-12-05' },
          reservedUsd: { N: '0.05' },
          renders: { N: '1' },
          version: { N: '2' },
        },
      }),
    ),
  });
  recordSdkCalls(ledgerClient, recorder, {
    principal,
    service: 'dynamodb',
    source: 'render worker spend ledger',
    resourceOf: (_, input) =>
      `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${String(input.TableName)}`,
  });
  const ledger = createDynamoSpendLedger(ledgerClient, ledgerTable);
  const ledgerCalls: Record<keyof typeof ledger, () => Promise<unknown>> = {
    get: () => ledger.get('day#2026-12-05'),
    put: () =>
      ledger.put({ ledgerKey: `job#${JOB_ID}`, reservedUsd: 0.05, renders: 1, version: 1 }, null),
    add: () =>
      ledger.add('day#2026-12-05', { usd: 0.05, renders: 1 }, { field: 'reservedUsd', max: 20 }),
  };
  for (const call of Object.values(ledgerCalls)) await call();

  for (const call of lambdaLogWritesOf(account, fn)) recorder.record(call);
  return { fn, startPayload, env, renderId: RENDER_ID };
};

/** What the reconciler's job store answers: a job whose message was lost, and a slot its ended job kept. */
const reconcilerAnswer = (field: string) => {
  const longAgo = '2025-01-01T00:00:00.000Z';
  const owner = `${OWNER_SUB}::alice`;
  switch (field) {
    case 'listRenderSlots':
      return {
        items: [{ jobOwner: owner, slot: 0, jobId: 'job-ended', createdAt: longAgo }],
        nextToken: null,
      };
    case 'listJobs':
      return {
        items: [
          {
            id: 'job-lost',
            owner,
            status: 'QUEUED',
            cancelRequested: false,
            createdAt: longAgo,
            updatedAt: longAgo,
          },
        ],
        nextToken: null,
      };
    case 'getJob':
      return { ...finishedJob(), id: 'job-ended' };
    case 'deleteRenderSlot':
      return { jobOwner: owner, slot: 0, jobId: 'job-ended' };
    default:
      return finishedJob();
  }
};

/**
 * The job reconciler's calls, as its handler builds it (amplify/functions/job-reconciler/handler.ts):
 * the job store from its environment and the job queue, run once over a state that makes it act.
 * Undefined when the templates have no reconciler.
 */
export const recordReconcilerCalls = async (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
): Promise<{ fn: FunctionFacts; problem?: string } | undefined> => {
  const fn = account.functions().find((candidate) => candidate.amplifyName === 'job-reconciler');
  if (!fn) return undefined;
  const queueUrl = fn.environment.RENDER_QUEUE_URL;
  if (!queueUrl) {
    return {
      fn,
      problem: `The job reconciler (${fn.name}) has no RENDER_QUEUE_URL in its environment, so its handler fails at cold start: wire it with scheduleJobReconciler.`,
    };
  }
  const store = await recordingJobStore(account, recorder, fn, {
    source: 'job reconciler',
    answer: reconcilerAnswer,
  });
  const queue = createSqsJobQueue({
    client: recordingSqsClient(account, recorder, fn.roleArn, 'job reconciler job queue'),
    queueUrl,
  });
  const summary = await reconcileJobs({ store, queue, clock: { now: () => Date.now() } });
  if (summary.acted !== 2 || summary.errors.length > 0) {
    throw new Error(
      `The reconciler should re-enqueue the lost job and free the ended job's slot, but did: ${JSON.stringify(summary)}`,
    );
  }
  for (const call of lambdaLogWritesOf(account, fn)) recorder.record(call);
  return { fn };
};

/**
 * The rotation of the signer secret and the IAM user whose key it writes: Secrets Manager runs the
 * rotation function for the secret, which makes keys of the user it names (`SIGNER_USER_NAME`,
 * amplify/storage/video-url-signer.ts).
 */
export const signerRotationOf = (account: SynthesizedAccount, secretArn: string) => {
  const schedule = account
    .resourcesOfType('AWS::SecretsManager::RotationSchedule')
    .find(({ stack, properties }) => account.resolve(stack, properties.SecretId) === secretArn);
  if (!schedule) {
    throw new Error(
      `The signer secret ${secretArn} has no rotation schedule: nothing writes its key`,
    );
  }
  const rotationArn = account.resolve(schedule.stack, schedule.properties.RotationLambdaARN);
  const rotation = account.functions().find((fn) => fn.arn === rotationArn);
  const userName = rotation?.environment.SIGNER_USER_NAME;
  const user = account
    .identities()
    .find((identity) => identity.kind === 'user' && identity.name === userName);
  if (!rotation || !user) {
    throw new Error(
      `The rotation function ${String(rotationArn)} of ${secretArn} names no IAM user of the templates in SIGNER_USER_NAME (got ${String(userName)})`,
    );
  }
  return { rotation, user };
};

/**
 * The video-url function's calls (DynamoDB GetItem, Secrets Manager GetSecretValue) and the
 * browser's GET of the URL it signs, made with the signer user's key read from the secret.
 */
export const recordVideoUrlCalls = async (
  account: SynthesizedAccount,
  recorder: AwsCallRecorder,
): Promise<{ fn: FunctionFacts; signerArn: string }> => {
  const fn = account.functionWithEnvironment('VIDEO_URL_SIGNER_SECRET_ARN');
  const env = fn.environment as Record<
    | 'JOB_TABLE_NAME'
    | 'OUTPUT_BUCKET_NAME'
    | 'VIDEO_URL_SIGNER_SECRET_ARN'
    | 'VIDEO_URL_TTL_SECONDS',
    string
  >;
  const job = finishedJob();
  const dynamo = new DynamoDBClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport(() =>
      jsonAnswer({
        Item: {
          id: { S: job.id },
          owner: { S: job.owner },
          status: { S: job.status },
          outputKey: { S: job.outputKey },
        },
      }),
    ),
  });
  recordSdkCalls(dynamo, recorder, {
    principal: fn.roleArn,
    service: 'dynamodb',
    source: 'video-url job loader',
    resourceOf: (_, input) =>
      `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${String(input.TableName)}`,
  });
  const signer = signerRotationOf(account, env.VIDEO_URL_SIGNER_SECRET_ARN).user;
  const signerKey = {
    accessKeyId: 'AKIASIGNERFAKEKEY000',
    secretAccessKey: 'fake-signer-secret-key-000000000000',
  };
  const secrets = new SecretsManagerClient({
    region: account.region,
    credentials: FAKE_CREDENTIALS,
    requestHandler: createStubTransport(() =>
      jsonAnswer({
        ARN: env.VIDEO_URL_SIGNER_SECRET_ARN,
        Name: 'signer',
        SecretString: JSON.stringify(signerKey),
      }),
    ),
  });
  recordSdkCalls(secrets, recorder, {
    principal: fn.roleArn,
    service: 'secretsmanager',
    source: 'video-url signer key',
    resourceOf: (_, input) => String(input.SecretId),
  });
  const handler = createVideoUrlHandler({
    loadJob: createDynamoJobLoader({
      tableName: env.JOB_TABLE_NAME,
      client: DynamoDBDocumentClient.from(dynamo),
    }),
    signUrl: createS3UrlSigner({
      bucket: env.OUTPUT_BUCKET_NAME,
      region: account.region,
      secretArn: env.VIDEO_URL_SIGNER_SECRET_ARN,
      secrets,
    }),
    now: () => new Date(),
    lifetimeSeconds: Number(env.VIDEO_URL_TTL_SECONDS),
  });
  const { url } = await handler({
    arguments: { jobId: JOB_ID },
    identity: { sub: OWNER_SUB } as AppSyncIdentityCognito,
  });
  // The browser fetches the URL: S3 authorizes whoever's key signed it, the signer user's if it is
  // the key from the secret, the function's own role otherwise.
  const get = s3GetOfPresignedUrl(url);
  recorder.record({
    principal: get.accessKeyId === signerKey.accessKeyId ? signer.arn : fn.roleArn,
    action: 's3:GetObject',
    resource: get.resource,
    context: { 's3:authType': 'REST-QUERY-STRING' },
    source: 'browser GET of the presigned video URL',
  });
  for (const call of lambdaLogWritesOf(account, fn)) recorder.record(call);
  return { fn, signerArn: signer.arn };
};
