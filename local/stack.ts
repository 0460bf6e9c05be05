import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';
import { HandBackError } from '../amplify/functions/render-worker/failure-classes';
import type { GraphqlTransport } from '../amplify/functions/render-worker/appsync-job-store';
import type { Clock, JobStore, Renderer } from '../amplify/functions/render-worker/ports';
import type {
  ReconcileSettings,
  ReconcileSummary,
} from '../amplify/functions/render-worker/reconcile-jobs';
import { systemClock } from '../amplify/functions/render-worker/system-clock';
import type { VideoUrlEvent } from '../amplify/functions/video-url/handler';
import type { RemoveJobEvent } from '../amplify/functions/remove-job/handler';
import {
  LOCAL_ENV_READER,
  readPipelineConfig,
  renderLimitsOf,
} from '../amplify/render-pipeline/config';
import { RENDER_WORKER_TIMEOUT_SECONDS, WAKE_UP_CONCURRENCY } from '../contract/job-contract';
import type { SpendBudgets } from '../contract/spend-budget';
import { startLocalBatches } from './batch/local-batches';
import { startLocalOperations, type LocalOperations } from './operations/local-operations';
import { startLocalWebhooks } from './webhooks/local-webhooks';
import type { WebhookDeliveryPolicy } from '../contract/webhook-contract';
import { toRenderLimitsOutput, type RenderLimitsOutput } from '../src/lib/amplify-outputs';
import { startDataPlane, tableNameOf, toAmplifyOutputs, type DataPlane } from './data-plane';
import { startOutputServer } from './outputs/output-server';
import { sweepExpiredOutputs } from './outputs/sweep-expired-outputs';
import { createLocalRenderObjects } from './outputs/local-render-objects';
import { loadOrCreateSecret } from './outputs/signed-urls';
import { createSqsRowQueue } from '../amplify/functions/batches/sqs-row-queue';
import { startJobStreamReader, type JobStreamReader } from './pipeline/job-stream-reader';
import { startQueuePoller } from './pipeline/queue-poller';
import { ensureRemotionBundle } from './render/remotion-bundle';
import { startLocalWebhookServer } from './remotion-webhook/local-webhook-server';
import {
  createRenderEndedNotifier,
  type LocalRenderEnded,
} from './remotion-webhook/notify-render-ended';
import { createSqsJobWaker } from '../amplify/functions/remotion-webhook/sqs-job-waker';
import {
  createLocalRenderer,
  createRemotionRenderFunction,
  createStubRenderFunction,
  LOCAL_OUTPUT_BUCKET,
  LOCAL_OUTPUT_PREFIX,
  type LocalRenderer,
} from './render/remotion-renderer';

/** The repository root (this file lives in `local/`). */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..');
/** Debian's Chromium: Remotion must never download a browser here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Options of {@link startLocalStack}. */
export interface LocalStackOptions {
  /** Folder for all state: DynamoDB data, pools, outputs, stream position. `npm start` uses `.local/`. */
  dataDir: string;
  /** Fixed ports; absent or 0 picks free ones. */
  ports?: { dynamodb?: number; cognito?: number; graphql?: number; sqs?: number; outputs?: number };
  renderer: 'remotion' | 'stub';
  /** Renders in flight at once (the event source mapping's MaximumConcurrency); default: the cloud's. */
  renderCap?: number;
  /** Stub renders take a random time in this range (ms). */
  stubRenderMs?: [number, number];
  /** Also serve the studio (Vite dev server) on this port (0 is not allowed by Vite's strict mode). */
  studio?: { port: number };
  /** Where the Remotion bundle is cached; default `<repo>/.local/cache` (shared by temp-dir stacks). */
  cacheDir?: string;
  log?: (line: string) => void;
  /** Fault-injection seams for tests; `npm start` passes none, and without them nothing is wrapped. */
  faults?: LocalStackFaults;
  /**
   * Remotion's webhook (default on): the renderer reports each render's end to the local webhook endpoint, which
   * wakes the job's tracking; off, a job ends at the worker's next progress poll.
   */
  remotionWebhook?: boolean;
  /** The worker's progress poll (default the cloud's 1 s without a webhook). */
  workerPollIntervalMs?: number;
  /** The job reconciler: every `everyMs` (default 30 s; 0: on demand only), {@link LOCAL_RECONCILE_SETTINGS}. */
  reconciler?: { everyMs?: number; settings?: Partial<ReconcileSettings> };
  /** Who may sign up (`SIGN_UP_ALLOW_LIST`); default: that variable, and unset local mode stays open. */
  signUpAllowList?: string;
  /** Spend budgets and the daily quota; default: the deploy-time variables, as the cloud reads them. */
  spendBudgets?: Partial<SpendBudgets>;
  /** Webhooks to integrators: shorter delivery timings for tests (default: the product's 10 s timeout, 24 h). */
  webhooks?: { policy?: Partial<WebhookDeliveryPolicy> };
}

/**
 * The reconciler's bounds in local mode: local renders start in milliseconds and the worker's claim lease is a
 * minute, so a lost message is noticed within about a minute instead of the cloud's ten.
 */
export const LOCAL_RECONCILE_SETTINGS: Omit<ReconcileSettings, 'rowsWokenPerOwner'> = {
  queuedUnseenMs: 60_000,
  renderingSilentMs: 60_000,
  claimLeaseMs: 60_000,
  cancelUnheardMs: 30_000,
  slotMinAgeMs: 30_000,
  waitingRowIdleMs: 30_000,
};

/** Wrappers a test puts around the worker's collaborators to inject faults (throttling, outages). */
export interface LocalStackFaults {
  /** Wraps the renderer the worker calls (the local renderer's own records and close stay underneath). */
  wrapRenderer?: (renderer: Renderer) => Renderer;
  /** Wraps the worker's GraphQL transport to the AppSync simulator: its Job writes and the reconciler's calls (the worker's reads and slots go to DynamoDB Local). */
  wrapWorkerTransport?: (transport: GraphqlTransport) => GraphqlTransport;
  /** Wraps what the stream reader (the pipe) sends to the render queue, e.g. to lose a message. */
  wrapStreamSend?: (send: (jobId: string) => Promise<void>) => (jobId: string) => Promise<void>;
  /** Wraps the worker's clock, e.g. to see when its progress poll sleeps and wakes. */
  wrapClock?: (clock: Clock) => Clock;
}

/** A running local stack. */
export interface LocalStack {
  /** `amplify_outputs.json` as written to `<dataDir>/amplify_outputs.json`. */
  outputs: LocalAmplifyOutputs;
  dataPlane: DataPlane;
  queue: {
    endpoint: string;
    queueUrl: string;
    /** Remotion's webhook wake-ups, consumed beside the render cap. */
    wakeQueueUrl: string;
    deadLetterQueueUrl: string;
  };
  outputServerUrl: string;
  /** The local remotion-webhook endpoint, unless `remotionWebhook` was false. */
  remotionWebhookUrl?: string;
  /** The webhook queue and its DLQ; `caughtUp` resolves once job endings written so far are fanned out. */
  webhooks: {
    queueUrl: string;
    deadLetterQueueUrl: string;
    /** Where the stream readers feeding the fan-out describe records they gave up on. */
    fanoutDeadLetterQueueUrl: string;
    caughtUp(): Promise<void>;
  };
  /** The studio's URL, when `studio` was asked for. */
  studioUrl?: string;
  /** Resolves after the stream reader has read everything written so far. */
  streamCaughtUp(): Promise<void>;
  /** Resolves once every batch recount asked for so far is written (docs/architecture.md, "Batches"). */
  batchProgressIdle(): Promise<void>;
  /** Runs the job reconciler once, now (it also runs on its timer). */
  reconcileNow(): Promise<ReconcileSummary>;
  /** Runs the retention sweep once as if it were `nowMs` (it also runs with the reconciler); the swept job ids. */
  sweepExpiredOutputs(nowMs?: number): Promise<string[]>;
  /** Kills DynamoDB Local and, after `downForMs`, starts it again on the same port and data (fault tests). */
  restartDynamoDb(downForMs?: number): Promise<void>;
  /** Stops everything it started (Java, Chromium, servers); safe to call twice. */
  stop(): Promise<void>;
}

/** `amplify_outputs.json` of local mode: what `ampx` writes, plus `custom.local_endpoints`. */
export type LocalAmplifyOutputs = ReturnType<typeof toAmplifyOutputs> & {
  storage: {
    aws_region: string;
    bucket_name: string;
    buckets: {
      name: string;
      bucket_name: string;
      aws_region: string;
      paths: Record<string, unknown>;
    }[];
  };
  custom: {
    local_endpoints: { cognito: string; dynamodb: string; sqs: string; outputs: string };
    render_limits: RenderLimitsOutput;
  };
};

/** The render worker's Lambda timeout, the same as the cloud's. */
export const WORKER_TIMEOUT_SECONDS = RENDER_WORKER_TIMEOUT_SECONDS;

const LOCAL_QUEUE_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/**
 * Starts every local stand-in of docs/architecture.md ("Local mode") and the render worker over them, then writes
 * `<dataDir>/amplify_outputs.json`. The one entry of `npm start`, the integration tests and the benchmarks.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => {});
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const pipeline = readPipelineConfig(process.env, LOCAL_ENV_READER);
  const renderCap = options.renderCap ?? pipeline.renderCap;
  const region = 'us-east-1';
  if (options.renderer === 'remotion' && !existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM_PATH}; install it with: apt-get install -y chromium`,
    );
  }

  const startedAt = Date.now();
  const elapsed = () => `${Date.now() - startedAt} ms`;
  const stops: (() => Promise<void>)[] = [];
  // Whatever is still starting when something fails is awaited, so its stop is known before stopping.
  const starting: Promise<unknown>[] = [];
  let stopping = false;
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.splice(0).reverse())
      await stop().catch((error: unknown) => log(`stack: stop failed: ${String(error)}`));
  };

  // A file left by an earlier run names ports that are gone: the studio waits for this run's.
  const outputsFile = join(dataDir, 'amplify_outputs.json');
  rmSync(outputsFile, { force: true });

  try {
    const studio = options.studio
      ? import('./studio-server').then(async ({ startStudioServer }) => {
          const server = await startStudioServer({
            projectRoot: PROJECT_ROOT,
            outputsFile,
            port: options.studio!.port,
          });
          stops.push(() => server.stop());
          return server;
        })
      : undefined;
    // Independent pieces start together; the renderer's bundle and browser warm up in the background.
    let renderer: LocalRenderer;
    // Bound once the webhook endpoint listens; a render cannot end before the worker (started after it) runs one.
    const late: {
      videoUrlHandler?: (event: VideoUrlEvent) => Promise<unknown>;
      removeJobHandler?: (event: RemoveJobEvent) => Promise<unknown>;
      notifyRenderEnded?: (ended: LocalRenderEnded) => Promise<void>;
    } = {};
    const onRenderEnded = async (ended: LocalRenderEnded) => late.notifyRenderEnded?.(ended);
    const outputsDir = join(dataDir, 'outputs');
    if (options.renderer === 'remotion') {
      const serveUrl = ensureRemotionBundle({
        projectRoot: PROJECT_ROOT,
        cacheDir: options.cacheDir ?? join(PROJECT_ROOT, '.local', 'cache'),
        log,
      });
      serveUrl.catch((error: unknown) => log(`renderer: bundling failed: ${String(error)}`));
      const remotion = createRemotionRenderFunction({
        serveUrl,
        browserExecutable: CHROMIUM_PATH,
        log,
      });
      renderer = createLocalRenderer({
        outputsDir,
        stateDir: join(dataDir, 'renders'),
        render: remotion.render,
        onClose: remotion.close,
        log,
        onRenderEnded,
      });
    } else {
      renderer = createLocalRenderer({
        outputsDir,
        stateDir: join(dataDir, 'renders'),
        render: createStubRenderFunction(options.stubRenderMs ?? [200, 800]),
        log,
        onRenderEnded,
      });
    }
    stops.push(() => renderer.close());

    // The worker's modules (the Amplify client among them) load while Java boots.
    const workerModules = Promise.all([
      import('../amplify/functions/render-worker/appsync-job-store'),
      import('../amplify/functions/render-worker/dynamo-job-reads'),
      import('../amplify/functions/render-worker/wire-render-worker'),
      import('../amplify/functions/render-worker/sqs-job-queue'),
      import('../amplify/functions/video-url/dynamo-job-loader'),
      import('../amplify/functions/video-url/handler'),
      import('./worker/sigv4-graphql-transport'),
      import('../amplify/functions/render-worker/reconcile-jobs'),
      import('../amplify/functions/remove-job/handler'),
      import('../amplify/functions/remove-job/dynamo-job-records'),
    ]);
    // The video URL resolver is called only after the plane is up, so its ports are bound late (`late` above).
    // The admins' Operations resolvers and the sign-up trigger, the cloud's code over local endpoints.
    const operations: LocalOperations = startLocalOperations({
      signUpAllowList: options.signUpAllowList ?? process.env.SIGN_UP_ALLOW_LIST,
      spendBudgets: options.spendBudgets,
      renderCap,
    });
    // The batch mutations and the batch progress writer, the cloud's code over local endpoints.
    const batches = startLocalBatches();
    // Webhooks to integrators: the cloud's fan-out, delivery and management handlers over local stand-ins.
    const webhooks = startLocalWebhooks({ dataDir, policy: options.webhooks?.policy, log });
    const pieces = [
      startFauxqs({ port: options.ports?.sqs ?? 0, host: '127.0.0.1', logger: false }).then(
        (server) => {
          stops.push(() => server.stop());
          return server;
        },
      ),
      startOutputServer({
        rootDir: outputsDir,
        secret: loadOrCreateSecret(join(dataDir, 'output-url-secret')),
        port: options.ports?.outputs,
      }).then((server) => {
        stops.push(() => server.stop());
        return server;
      }),
      startDataPlane({
        dataDir,
        ports: options.ports,
        log,
        lambdaResolvers: {
          getJobVideoUrl: async (event) => {
            if (!late.videoUrlHandler) throw new Error('The local stack is still starting.');
            return late.videoUrlHandler(event as VideoUrlEvent);
          },
          removeJob: async (event) => {
            if (!late.removeJobHandler) throw new Error('The local stack is still starting.');
            return late.removeJobHandler(event as RemoveJobEvent);
          },
          ...operations.lambdaResolvers,
          ...batches.lambdaResolvers,
          ...webhooks.lambdaResolvers,
        },
        ...(operations.cognitoTriggers ? { cognitoTriggers: operations.cognitoTriggers } : {}),
      }).then((plane) => {
        stops.push(() => plane.stop());
        return plane;
      }),
      workerModules,
      studio ?? Promise.resolve(undefined),
    ] as const;
    starting.push(...pieces);
    const [fauxqs, outputServer, dataPlane, modules] = await Promise.all(pieces);
    const [
      { createAppSyncJobStore },
      { withDynamoReads },
      { wireRenderWorker },
      { createSqsJobQueue },
      { createDynamoJobLoader },
      { createVideoUrlHandler },
      { createSigV4GraphqlTransport },
      { reconcileJobs, isWaitingRow },
      { createRemoveJobHandler },
      { createDynamoJobRecords },
    ] = modules;

    log(`stack: data plane, queues and output server up at ${elapsed()}`);
    const dynamodb = new DynamoDBClient({
      endpoint: dataPlane.dynamodb.endpoint,
      region,
      credentials: LOCAL_QUEUE_CREDENTIALS,
    });
    stops.push(async () => dynamodb.destroy());
    late.videoUrlHandler = createVideoUrlHandler({
      loadJob: createDynamoJobLoader({
        tableName: dataPlane.dynamodb.jobTableName,
        client: DynamoDBDocumentClient.from(dynamodb),
      }),
      signUrl: async ({ key, expiresAt }) => outputServer.signer.sign(key, expiresAt.getTime()),
      now: () => new Date(),
      lifetimeSeconds: pipeline.videoUrlTtlSeconds,
    });
    // removeJob: the cloud's core and Job-table adapter over DynamoDB Local, files for the buckets.
    late.removeJobHandler = createRemoveJobHandler({
      ...createDynamoJobRecords({
        tableName: dataPlane.dynamodb.jobTableName,
        client: DynamoDBDocumentClient.from(dynamodb),
      }),
      ...createLocalRenderObjects({ outputsDir, stateDir: join(dataDir, 'renders') }),
      outputPrefix: LOCAL_OUTPUT_PREFIX,
      now: () => new Date(),
      sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
    });

    // The queues and DLQ as the cloud has them: same visibility, DLQ after maxReceiveCount receives.
    const visibility = String(WORKER_TIMEOUT_SECONDS * 6);
    const dlq = fauxqs.createQueue('render-dlq', { attributes: { VisibilityTimeout: visibility } });
    const redriveToDlq = {
      VisibilityTimeout: visibility,
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: dlq.queueArn,
        maxReceiveCount: pipeline.maxReceiveCount,
      }),
    };
    const queue = fauxqs.createQueue('render-queue', { attributes: redriveToDlq });
    const wakeQueue = fauxqs.createQueue('render-wake-queue', {
      attributes: { ...redriveToDlq, MessageRetentionPeriod: String(24 * 3600) },
    });
    const sqs = new SQSClient({
      endpoint: fauxqs.address,
      region,
      credentials: LOCAL_QUEUE_CREDENTIALS,
      useQueueUrlAsEndpoint: false,
    });
    stops.push(async () => sqs.destroy());
    const webhookStreams = new DynamoDBStreamsClient({
      endpoint: dataPlane.dynamodb.endpoint,
      region,
      credentials: LOCAL_QUEUE_CREDENTIALS,
    });
    const webhookQueues = webhooks.bind({
      dynamodb,
      streams: webhookStreams,
      batchTableStreamArn: dataPlane.dynamodb.batchTableStreamArn,
      tableNameOf,
      fauxqs,
      sqs,
      region,
    });
    stops.push(async () => {
      await webhooks.stop();
      webhookStreams.destroy();
    });
    const enqueue = async (jobId: string) => {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queue.queueUrl,
          MessageBody: JSON.stringify({ jobId }),
        }),
      );
    };

    // Remotion's webhook, as the cloud has it: the renderer signs and posts each render's end to the same endpoint
    // code, which wakes the job's tracking through the wake-up queue.
    let remotionWebhookUrl: string | undefined;
    if (options.remotionWebhook ?? true) {
      const secret = randomBytes(32).toString('hex');
      const webhookServer = await startLocalWebhookServer({
        secret,
        wake: createSqsJobWaker({ client: sqs, queueUrl: wakeQueue.queueUrl }),
        log,
      });
      stops.push(() => webhookServer.stop());
      remotionWebhookUrl = webhookServer.url;
      late.notifyRenderEnded = createRenderEndedNotifier({
        url: webhookServer.url,
        secret,
        bucketName: LOCAL_OUTPUT_BUCKET,
      });
    }

    // The worker: the same core and handler as the Lambda, over local adapters.
    const transport = createSigV4GraphqlTransport({
      url: dataPlane.graphql.url,
      region: dataPlane.graphql.region,
      credentials: dataPlane.workerCredentials,
    });
    const workerTransport = options.faults?.wrapWorkerTransport?.(transport) ?? transport;
    const appSyncStore = createAppSyncJobStore(workerTransport);
    // As in the Lambda: Job writes through AppSync, reads and slots on DynamoDB Local's tables.
    const store = guardStore(
      withDynamoReads(appSyncStore, dynamodb, {
        jobTable: dataPlane.dynamodb.jobTableName,
        renderSlotTable: dataPlane.dynamodb.renderSlotTableName,
      }),
      () => stopping,
    );
    // As in the cloud, the reconciler reads and writes through AppSync alone.
    const reconcilerStore = guardStore(appSyncStore, () => stopping);
    const jobQueue = createSqsJobQueue({
      client: sqs,
      queueUrl: queue.queueUrl,
      deadLetterQueueUrl: dlq.queueUrl,
    });
    const reconcileSettings: ReconcileSettings = {
      ...LOCAL_RECONCILE_SETTINGS,
      rowsWokenPerOwner: pipeline.maxActiveJobsPerUser,
      ...options.reconciler?.settings,
    };
    const { handler } = wireRenderWorker({
      store,
      renderer: options.faults?.wrapRenderer?.(renderer) ?? renderer,
      queue: jobQueue,
      clock: options.faults?.wrapClock?.(systemClock) ?? systemClock,
      settings: {
        renderCap,
        ...(options.workerPollIntervalMs ? { pollIntervalMs: options.workerPollIntervalMs } : {}),
        maxActiveJobsPerUser: pipeline.maxActiveJobsPerUser,
        maxReceiveCount: pipeline.maxReceiveCount,
        retentionDays: pipeline.outputRetentionDays,
        // Local renders start in milliseconds and die with the process, so a claim without a render id
        // older than a minute is an orphan of an earlier run; the cloud's lease must outlast a Lambda render.
        claimLeaseMs: 60_000,
        // Stamped twice per reconciler bound, so a job waiting under the cap is never taken for a lost one.
        queueCheckIntervalMs: reconcileSettings.queuedUnseenMs / 2,
      },
      // The cloud's limits, so local mode refuses exactly the videos the cloud would refuse.
      renderLimits: renderLimitsOf(pipeline),
      isDeadLetter: (record) => record.eventSourceARN === dlq.queueArn,
      isWakeUp: (record) => record.eventSourceARN === wakeQueue.queueArn,
      log: (message, details) => log(`worker: ${message} ${JSON.stringify(details ?? {})}`),
      ...operations.bindWorker({
        transport: workerTransport,
        spendLedger: {
          endpoint: dataPlane.dynamodb.endpoint,
          region: dataPlane.dynamodb.region,
          tableName: dataPlane.dynamodb.spendLedgerTableName,
        },
      }),
    });
    operations.bindResolvers({
      transport,
      store,
      sqs,
      queueUrls: {
        renderQueueUrl: queue.queueUrl,
        deadLetterQueueUrl: dlq.queueUrl,
      },
      cognito: {
        endpoint: dataPlane.cognito.endpoint,
        region: dataPlane.cognito.region,
        userPoolId: dataPlane.cognito.userPoolId,
      },
    });
    stops.push(async () => operations.stop());
    batches.bind({
      transport,
      dynamodb: dataPlane.dynamodb,
      dailyRendersPerUser: operations.budgets.dailyRendersPerUser,
      maxActiveJobsPerUser: pipeline.maxActiveJobsPerUser,
      streams: new DynamoDBStreamsClient({
        endpoint: dataPlane.dynamodb.endpoint,
        region,
        credentials: LOCAL_QUEUE_CREDENTIALS,
      }),
      jobTableStreamArn: dataPlane.dynamodb.jobTableStreamArn,
      checkpointFile: join(
        dataDir,
        `batch-stream-checkpoint-${createHash('sha256').update(dataPlane.dynamodb.jobTableStreamArn).digest('hex').slice(0, 12)}.json`,
      ),
      sqs,
      renderQueueUrl: queue.queueUrl,
      renderLimits: renderLimitsOf(pipeline),
      fanOutEndings: webhookQueues.fanOutEndings,
      streamGiveUp: webhookQueues.streamGiveUp,
      log,
    });
    stops.push(() => batches.stop());

    // fauxqs keeps messages in memory: jobs still active from before a stop are enqueued again
    // (a duplicate of a message the stream reader sends is harmless: every write is conditional).
    // Batch rows waiting in the table had no message: they stay there, woken by their owner's ends or the reconciler
    // (a QUEUED row holding a slot waited under the cap with a message, so it is enqueued again like any job).
    const slotHolders = new Set((await store.listRenderSlots()).map((slot) => slot.jobId));
    const leftOver = (await store.listActiveJobs()).filter(
      (job) => !isWaitingRow(job, slotHolders),
    );
    for (const job of leftOver) await enqueue(job.id);
    if (leftOver.length > 0) log(`stack: re-enqueued ${leftOver.length} unfinished job(s)`);

    const streamReader: JobStreamReader = startJobStreamReader({
      streams: new DynamoDBStreamsClient({
        endpoint: dataPlane.dynamodb.endpoint,
        region,
        credentials: LOCAL_QUEUE_CREDENTIALS,
      }),
      streamArn: dataPlane.dynamodb.jobTableStreamArn,
      checkpointFile: join(
        dataDir,
        `stream-checkpoint-${createHash('sha256').update(dataPlane.dynamodb.jobTableStreamArn).digest('hex').slice(0, 12)}.json`,
      ),
      // A page of new jobs goes out in SendMessageBatch calls of ten; a fault seam wraps each send instead.
      ...(options.faults?.wrapStreamSend
        ? { send: options.faults.wrapStreamSend(enqueue) }
        : { sendPage: createSqsRowQueue(sqs, queue.queueUrl).enqueue }),
      log,
    });
    stops.push(() => streamReader.stop());

    const timeoutMs = WORKER_TIMEOUT_SECONDS * 1000;
    const pollers = [
      startQueuePoller({
        sqs,
        queueUrl: queue.queueUrl,
        queueArn: queue.queueArn,
        region,
        handler,
        batchSize: 1,
        maxConcurrency: renderCap,
        timeoutMs,
        log,
      }),
      startQueuePoller({
        sqs,
        queueUrl: wakeQueue.queueUrl,
        queueArn: wakeQueue.queueArn,
        region,
        handler,
        batchSize: 1,
        maxConcurrency: WAKE_UP_CONCURRENCY,
        timeoutMs,
        log,
      }),
      startQueuePoller({
        sqs,
        queueUrl: dlq.queueUrl,
        queueArn: dlq.queueArn,
        region,
        handler,
        batchSize: 1,
        maxConcurrency: 2,
        timeoutMs,
        log,
      }),
    ];
    stops.push(async () => {
      for (const poller of pollers) poller.stop();
    });

    // The job reconciler, as the cloud schedules it: lost messages, unheard cancels, slots of ended jobs.
    // Retention, as the cloud's S3 lifecycle rules: expired outputs go with the reconciler's rounds.
    const sweepNow = (nowMs?: number) =>
      sweepExpiredOutputs({
        send: transport,
        store,
        outputsDir,
        renderStateDir: join(dataDir, 'renders'),
        ...(nowMs === undefined ? {} : { nowMs }),
      });
    const reconcileNow = async () => {
      const swept = await sweepNow().catch((error: unknown) => {
        if (!stopping) log(`retention: sweep failed: ${String(error)}`);
        return [];
      });
      if (swept.length > 0) log(`retention: outputs of ${swept.length} expired job(s) deleted`);
      return reconcileJobs({
        store: reconcilerStore,
        queue: jobQueue,
        clock: systemClock,
        settings: reconcileSettings,
      });
    };
    const reconcileEveryMs = options.reconciler?.everyMs ?? 30_000;
    let reconciling: Promise<void> | undefined;
    const reconcileOnce = () => {
      reconciling ??= reconcileNow()
        .then((summary) => {
          if (summary.acted > 0 || summary.errors.length > 0 || summary.wokenRows.length > 0)
            log(`reconciler: ${JSON.stringify(summary)}`);
        })
        .catch((error: unknown) => {
          if (!stopping) log(`reconciler: run failed: ${String(error)}`);
        })
        .finally(() => (reconciling = undefined));
    };
    const reconcileTimer =
      reconcileEveryMs > 0 ? setInterval(reconcileOnce, reconcileEveryMs) : undefined;
    stops.push(async () => {
      clearInterval(reconcileTimer);
      await reconciling;
    });

    const outputs: LocalAmplifyOutputs = {
      ...toAmplifyOutputs(dataPlane),
      storage: {
        aws_region: region,
        bucket_name: LOCAL_OUTPUT_BUCKET,
        buckets: [
          {
            name: 'renderOutputs',
            bucket_name: LOCAL_OUTPUT_BUCKET,
            aws_region: region,
            paths: {},
          },
        ],
      },
      custom: {
        local_endpoints: {
          cognito: dataPlane.cognito.endpoint,
          dynamodb: dataPlane.dynamodb.endpoint,
          sqs: fauxqs.address,
          outputs: outputServer.url,
        },
        render_limits: toRenderLimitsOutput(renderLimitsOf(pipeline)),
      },
    };
    writeFileSync(outputsFile, `${JSON.stringify(outputs, null, 2)}\n`);
    const studioUrl = (await pieces[4])?.url;
    log(`stack: worker, stream reader and pollers running at ${elapsed()}`);

    return {
      outputs,
      dataPlane,
      queue: {
        endpoint: fauxqs.address,
        queueUrl: queue.queueUrl,
        wakeQueueUrl: wakeQueue.queueUrl,
        deadLetterQueueUrl: dlq.queueUrl,
      },
      outputServerUrl: outputServer.url,
      webhooks: {
        queueUrl: webhookQueues.queueUrl,
        deadLetterQueueUrl: webhookQueues.deadLetterQueueUrl,
        fanoutDeadLetterQueueUrl: webhookQueues.fanoutDeadLetterQueueUrl,
        // Job endings are read by the Job stream's one reader (local-batches.ts), batches' ends by the fan-out's.
        // In that order: a job ending's recount may end its batch, which the Batch stream reader then reads.
        caughtUp: async () => {
          await batches.caughtUp();
          await webhooks.caughtUp();
        },
      },
      ...(remotionWebhookUrl ? { remotionWebhookUrl } : {}),
      ...(studioUrl ? { studioUrl } : {}),
      streamCaughtUp: () => streamReader.nextRound(),
      batchProgressIdle: () => batches.progressIdle(),
      reconcileNow,
      sweepExpiredOutputs: sweepNow,
      restartDynamoDb: (downForMs) => dataPlane.restartDynamoDb(downForMs),
      stop: stopAll,
    };
  } catch (error) {
    await Promise.allSettled(starting);
    await stopAll();
    throw error;
  }
}

/** Once the stack stops, in-flight worker deliveries fail as retryable instead of writing half a state. */
function guardStore(store: JobStore, isStopping: () => boolean): JobStore {
  const check = () => {
    if (isStopping()) throw new HandBackError('The local stack is stopping.');
  };
  return {
    get: async (jobId) => (check(), store.get(jobId)),
    update: async (jobId, expected, patch) => (check(), store.update(jobId, expected, patch)),
    listActiveJobs: async () => (check(), store.listActiveJobs()),
    listRenderingJobs: async () => (check(), store.listRenderingJobs()),
    listWaitingRowIds: async (rowOwner, max) => (check(), store.listWaitingRowIds(rowOwner, max)),
    listRenderSlots: async (jobOwner) => (check(), store.listRenderSlots(jobOwner)),
    createRenderSlot: async (slot) => (check(), store.createRenderSlot(slot)),
    deleteRenderSlot: async (slot) => (check(), store.deleteRenderSlot(slot)),
  };
}
