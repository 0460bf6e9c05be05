import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBBatchResponse } from 'aws-lambda';
import { BATCH_PROGRESS_INTERVAL_MS } from '../../contract/batch-contract';
import type { RenderLimits } from '../../contract/render-limits';
import { findCompositionSpec, parseInputProps } from '../../remotion/catalog';
import { createAppSyncBatchWrites } from '../../amplify/functions/batches/appsync-batch-writes';
import {
  createBatchProgressScheduler,
  recountBatch,
} from '../../amplify/functions/batches/batch-progress';
import {
  createBatchResolver,
  type BatchEvent,
} from '../../amplify/functions/batches/batch-resolver';
import { createBatchService } from '../../amplify/functions/batches/batch-service';
import { createDynamoBatchTables } from '../../amplify/functions/batches/dynamo-batch-tables';
import {
  createJobStreamHandler,
  type JobTableStreamRecord,
} from '../../amplify/functions/batches/job-stream-handler';
import type { EndingStreamRecord } from '../../amplify/functions/webhooks/wire-webhooks';
import { createLedgerRenderQuota } from '../../amplify/functions/batches/spend-ledger-quota';
import { createSqsRowQueue } from '../../amplify/functions/batches/sqs-row-queue';
import { createDynamoSpendLedger } from '../../amplify/functions/render-worker/dynamo-spend-ledger';
import type { GraphqlTransport } from '../../amplify/functions/render-worker/appsync-job-store';
import { createRenderablePropsParser } from '../../amplify/functions/render-worker/parse-renderable-props';
import { startJobStreamReader, type StreamGiveUp } from '../pipeline/job-stream-reader';
import { LOCAL_AWS_CREDENTIALS } from '../dynamodb/dynamodb-local';

/** The fields of amplify/data/batch-schema.ts that the batches function resolves. */
export const BATCH_FIELDS = [
  'createBatch',
  'addBatchRows',
  'cancelBatch',
  'retryBatchRows',
] as const;

/**
 * Local mode's batches: the cloud's resolver, and the Job stream's one Lambda reader (batch progress, and job endings
 * for the webhook fan-out), as in the cloud.
 */
export interface LocalBatches {
  /** For the AppSync simulator, by field name. */
  lambdaResolvers: Record<string, (event: unknown) => Promise<unknown>>;
  /** Binds the ports once the plane and the queue are up, and starts the progress writer. */
  bind(ports: {
    transport: GraphqlTransport;
    dynamodb: {
      endpoint: string;
      region: string;
      jobTableName: string;
      batchTableName: string;
      spendLedgerTableName: string;
    };
    /** The spend guard's per-user daily quota, as the worker's guard has it. */
    dailyRendersPerUser: number;
    /** The per-user limit, as the worker has it: rows woken per request. */
    maxActiveJobsPerUser: number;
    streams: DynamoDBStreamsClient;
    jobTableStreamArn: string;
    checkpointFile: string;
    /** The webhook fan-out's handler for job endings (local-webhooks.ts), run by the same reader as in the cloud. */
    fanOutEndings: (event: { Records: EndingStreamRecord[] }) => Promise<DynamoDBBatchResponse>;
    /** The cloud event source's retries and on-failure destination (the fan-out's dead-letter queue). */
    streamGiveUp: StreamGiveUp;
    sqs: SQSClient;
    renderQueueUrl: string;
    renderLimits: RenderLimits;
    log: (line: string) => void;
  }): void;
  /** Resolves once every recount asked for so far is written (tests and the benchmark). */
  progressIdle(): Promise<void>;
  /** Resolves after the Job stream's reader has read and handled every record written so far. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * How long the Job stream reader waits for a page's recounts (the cloud: the function's remaining time less a
 * margin); past it the page's first record of a batch not yet recounted is read again next round.
 */
const RECOUNT_WAIT_MS = 60_000;

/** Builds local mode's batches; the resolvers answer "still starting" until {@link LocalBatches.bind}. */
export function startLocalBatches(): LocalBatches {
  let resolve: ((event: BatchEvent) => Promise<unknown>) | undefined;
  const stops: (() => Promise<void>)[] = [];
  let idle: () => Promise<void> = async () => {};
  let caughtUp: () => Promise<void> = async () => {};
  const resolver = async (event: unknown) => {
    if (!resolve) throw new Error('The local stack is still starting.');
    return resolve(event as BatchEvent);
  };
  return {
    lambdaResolvers: Object.fromEntries(BATCH_FIELDS.map((field) => [field, resolver])),
    bind(ports) {
      const dynamodb = new DynamoDBClient({
        endpoint: ports.dynamodb.endpoint,
        region: ports.dynamodb.region,
        credentials: LOCAL_AWS_CREDENTIALS,
      });
      stops.push(async () => dynamodb.destroy());
      const tables = createDynamoBatchTables({
        names: { batchTable: ports.dynamodb.batchTableName, jobTable: ports.dynamodb.jobTableName },
        client: DynamoDBDocumentClient.from(dynamodb, {
          marshallOptions: { removeUndefinedValues: true },
        }),
      });
      const writes = createAppSyncBatchWrites(ports.transport);
      resolve = createBatchResolver(
        createBatchService({
          tables,
          writes,
          queue: createSqsRowQueue(ports.sqs, ports.renderQueueUrl),
          renderQuota: createLedgerRenderQuota(
            createDynamoSpendLedger(dynamodb, ports.dynamodb.spendLedgerTableName),
            ports.dailyRendersPerUser,
          ),
          parseInputProps: createRenderablePropsParser(ports.renderLimits, parseInputProps),
          isComposition: (id) => findCompositionSpec(id) !== undefined,
          rowsWokenPerRequest: ports.maxActiveJobsPerUser,
          now: Date.now,
        }),
      );
      // The cloud's event source: rows of batches only, each batch recounted at most once per interval.
      const scheduler = createBatchProgressScheduler({
        recount: (batchId) => recountBatch({ tables, writes, now: Date.now }, batchId),
        intervalMs: BATCH_PROGRESS_INTERVAL_MS,
        log: (message, details) =>
          ports.log(`batch progress: ${message} ${JSON.stringify(details ?? {})}`),
      });
      idle = () => scheduler.idle();
      // The cloud's one Lambda reader of the Job stream, with the same handler: batch progress and job endings.
      const handle = createJobStreamHandler({
        progress: scheduler,
        fanOutEndings: ports.fanOutEndings,
      });
      const reader = startJobStreamReader({
        streams: ports.streams,
        streamArn: ports.jobTableStreamArn,
        checkpointFile: ports.checkpointFile,
        handlePage: (records) =>
          handle({ Records: records as JobTableStreamRecord[] }, { waitMs: RECOUNT_WAIT_MS }),
        giveUp: ports.streamGiveUp,
        log: ports.log,
      });
      caughtUp = () => reader.nextRound();
      stops.push(async () => {
        await reader.stop();
        await scheduler.close();
      });
    },
    progressIdle: () => idle(),
    caughtUp: () => caughtUp(),
    async stop() {
      for (const stop of stops.splice(0).reverse()) await stop();
    },
  };
}
