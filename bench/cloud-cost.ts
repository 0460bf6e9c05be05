import {
  OUTPUT_FORMAT_DETAILS,
  OUTPUT_FORMATS,
  type OutputFormat,
} from '../contract/output-formats';
import { AWS_PRICES_US_EAST_1 } from '../contract/aws-prices';
import { estimatePrice } from '@remotion/lambda/client';
import { validateFramesPerFunction } from '@remotion/serverless-client';
import { REMOTION_FUNCTION_DEFAULTS } from '../amplify/render-pipeline/config';
import { RENDER_WORKER_MEMORY_MB } from '../amplify/functions/render-worker/resource';
import { POLL_INTERVAL_WITH_WEBHOOK_MS } from '../amplify/functions/render-worker/worker-context';

/** Public list prices, us-east-1: shared with the studio's estimate (contract/aws-prices.ts). */
export { AWS_PRICES_US_EAST_1 };

/** What the estimate assumes; every number is named and its origin given in {@link describeCostAssumptions}. */
export interface CostAssumptions {
  region: 'us-east-1';
  fps: number;
  /** Render time of one 1920×1080 frame inside a Remotion render Lambda. */
  secondsPerFrame: number;
  /** Where `secondsPerFrame` comes from, said in words for BENCHMARKS.md. */
  secondsPerFrameSource: string;
  /** Cold start, opening Chromium and loading the site, per renderer Lambda. */
  rendererStartupSeconds: number;
  /** The main (orchestrator) Lambda's own work before the chunks start and after they end, per minute of video. */
  combineSecondsPerVideoMinute: number;
  mainSetupSeconds: number;
  remotionMemoryMb: number;
  remotionDiskMb: number;
  /** The worker Lambda's memory (amplify/functions/render-worker/resource.ts; arm64). */
  workerMemoryMb: number;
  /** Worker time besides waiting for the render: load, checks, start, final writes. */
  workerOwnSeconds: number;
  /** Seconds between progress polls while Remotion's webhook reports the end (worker-context.ts). */
  pollIntervalSeconds: number;
  /** The remotion-webhook endpoint: its memory and billed time per call (amplify/functions/remotion-webhook). */
  webhookMemoryMb: number;
  webhookSeconds: number;
  /** The worker's short delivery woken by the webhook: read the job, read progress once, end the job. */
  wakeUpWorkerSeconds: number;
  /** Browser tabs subscribed to the job's updates. */
  subscribers: number;
  /** Global secondary indexes a single job's item is in (owner, status; a batch row is also in the batch index). */
  jobIndexes: number;
  /** Log lines the worker writes per job (JSON logs and EMF metrics), bytes. */
  workerLogBytesPerJob: number;
}

/** Seconds per 1080p frame assumed when nothing was measured: BENCHMARKS.md (150 frames of 720p in ~14 s by the CLI), ×2.25 for the pixel count. */
export const FALLBACK_SECONDS_PER_FRAME_1080P = (14 / 150) * ((1920 * 1080) / (1280 * 720));

/** The defaults of the estimate; `secondsPerFrame` is replaced by the measured value when there is one. */
export const DEFAULT_COST_ASSUMPTIONS: CostAssumptions = {
  region: 'us-east-1',
  fps: 30,
  secondsPerFrame: FALLBACK_SECONDS_PER_FRAME_1080P,
  secondsPerFrameSource:
    'Measured here (BENCHMARKS.md): the CLI renders 150 frames of 1280×720 in ~14 s on this machine, scaled ×2.25 to 1920×1080',
  rendererStartupSeconds: 3,
  mainSetupSeconds: 2,
  combineSecondsPerVideoMinute: 1,
  remotionMemoryMb: REMOTION_FUNCTION_DEFAULTS.memorySizeInMb,
  remotionDiskMb: REMOTION_FUNCTION_DEFAULTS.diskSizeInMb,
  workerMemoryMb: RENDER_WORKER_MEMORY_MB,
  workerOwnSeconds: 1,
  pollIntervalSeconds: POLL_INTERVAL_WITH_WEBHOOK_MS / 1000,
  webhookMemoryMb: 256,
  webhookSeconds: 0.1,
  wakeUpWorkerSeconds: 0.3,
  subscribers: 1,
  jobIndexes: 2,
  workerLogBytesPerJob: 6_000,
};

/**
 * The requests one job makes besides polling, read from the worker's code path for a job that renders once without
 * contention (admission.ts, render-tracking.ts, render-slots.ts, spend-guard.ts); the per-poll part is in
 * {@link estimateRenderCost}.
 */
export const REQUESTS_PER_JOB = {
  /** AppSync operations: the browser's createJob; the worker's claim, recordRenderId and final write. Every Job write
   * goes through AppSync so the owner's subscriptions see it; the worker's reads and its render slots do not
   * (dynamo-job-reads.ts). */
  appSyncOperations: 4,
  /** The worker's strongly consistent reads on the tables (≤ 4 KB, 1 read unit each): getJob ×3 (the start, the
   * webhook's wake-up, the tracking delivery that finds the job ended) and its owner's slots ×2 (look, release). */
  consistentTableReads: 5,
  /** Queries of the Job table's status index (eventually consistent, 0.5 read units): the render cap's look and its
   * look again after the claim. A busy worker skips the first (it counted room within the last second); a lone job
   * in the cloud cannot count on that (a cold or idle worker instance), so both stay counted here. */
  statusIndexReads: 2,
  /** Job writes besides progress pushes: create, claim, render id, final status. */
  jobWrites: 4,
  /** Writes that move the job in the status index (claim, final status): a delete and a put there. */
  jobStatusMoves: 2,
  /** RenderSlot writes: create and delete. */
  slotWrites: 2,
  /** The spend ledger, direct DynamoDB: admit = get + 3 conditional ADDs + put; settle = get + put + 2 ADDs. */
  ledgerWrites: 7,
  ledgerStrongReads: 2,
  /** SQS: the Pipe's send, the worker's receive + delete, and the webhook's wake-up (send, receive, delete). */
  sqsRequests: 6,
  /** Lambda requests: the worker's delivery, its wake-up delivery, the webhook endpoint. */
  lambdaRequests: 3,
} as const;

/** One line of the project's overhead: how many units of what, at which unit price. */
export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
}

/** The estimate for one video length, with the arithmetic kept so BENCHMARKS.md can show it. */
export interface RenderCostEstimate {
  videoSeconds: number;
  frames: number;
  framesPerLambda: number;
  renderLambdas: number;
  /** Wall time of the render as the worker waits for it (the main Lambda's duration). */
  renderWallSeconds: number;
  /** Summed billed duration of all Remotion Lambdas (renderers + main). */
  remotionLambdaSeconds: number;
  remotionUsd: number;
  overhead: CostLine[];
  overheadUsd: number;
  totalUsd: number;
  /** overheadUsd / totalUsd, 0–1. */
  overheadShare: number;
}

/**
 * Estimates one render's cost: Remotion's own `estimatePrice` for the render Lambdas, plus what this
 * project adds around it (worker Lambda, progress polls, the webhook, SQS, DynamoDB, AppSync, Pipe, logs).
 */
export function estimateRenderCost(
  videoSeconds: number,
  assumptions: CostAssumptions = DEFAULT_COST_ASSUMPTIONS,
): RenderCostEstimate {
  if (!(videoSeconds > 0)) {
    throw new RangeError(`videoSeconds must be a positive number, but got ${videoSeconds}`);
  }
  if (!(assumptions.secondsPerFrame > 0)) {
    throw new RangeError(
      `secondsPerFrame must be a positive number, but got ${assumptions.secondsPerFrame}`,
    );
  }
  const a = assumptions;
  const p = AWS_PRICES_US_EAST_1;
  const r = REQUESTS_PER_JOB;
  const frames = Math.round(videoSeconds * a.fps);
  // Remotion's own default split (what renderMediaOnLambda does when framesPerLambda is not given).
  const framesPerLambda = validateFramesPerFunction({
    framesPerFunction: null,
    durationInFrames: frames,
    concurrency: null,
  });
  const renderLambdas = Math.ceil(frames / framesPerLambda);
  const chunkSeconds = a.rendererStartupSeconds + framesPerLambda * a.secondsPerFrame;
  const renderWallSeconds =
    a.mainSetupSeconds + chunkSeconds + a.combineSecondsPerVideoMinute * (videoSeconds / 60);
  const remotionLambdaSeconds = renderLambdas * chunkSeconds + renderWallSeconds;
  const remotionUsd = estimatePrice({
    region: a.region,
    memorySizeInMb: a.remotionMemoryMb,
    diskSizeInMb: a.remotionDiskMb,
    lambdasInvoked: renderLambdas + 1,
    durationInMilliseconds: remotionLambdaSeconds * 1000,
  });

  // Polls while the render runs (the webhook ends the job, not a poll); each one pushes progress, because the poll
  // interval is at least the push interval (2 s), and that conditional push is also the cancel check.
  const polls = Math.max(0, Math.floor(renderWallSeconds / a.pollIntervalSeconds));
  // The wake-up reads the render's progress once more.
  const progressReads = polls + 1;
  const jobWrites = r.jobWrites + polls;
  const appSyncOperations = r.appSyncOperations + polls;
  const writeUnits =
    jobWrites * (1 + a.jobIndexes) + r.jobStatusMoves + r.slotWrites + r.ledgerWrites;
  const readUnits = r.consistentTableReads + r.statusIndexReads * 0.5 + r.ledgerStrongReads;
  // The poster (remotion-lambda-renderer.ts): one renderStillOnLambda right after the render started, an invocation
  // of the Remotion function paying a renderer's start-up for one frame. The worker waits for it while the video
  // renders, which takes longer (the main Lambda's set-up, the same start-up, at least 20 frames): no extra wait.
  const posterSeconds = a.rendererStartupSeconds + a.secondsPerFrame;
  const workerSeconds = renderWallSeconds + a.workerOwnSeconds;
  const line = (item: string, quantity: number, unit: string, unitUsd: number): CostLine => ({
    item,
    quantity,
    unit,
    usd: quantity * unitUsd,
  });
  const overhead: CostLine[] = [
    line(
      `worker Lambda ${a.workerMemoryMb} MB arm64 waiting ${workerSeconds.toFixed(1)} s (the render, with the poster inside it, and ${a.workerOwnSeconds} s of its own), and its ${a.wakeUpWorkerSeconds} s wake-up`,
      (a.workerMemoryMb / 1024) * (workerSeconds + a.wakeUpWorkerSeconds),
      'GB-s',
      p.lambdaArmUsdPerGbSecond,
    ),
    line(
      `remotion-webhook endpoint ${a.webhookMemoryMb} MB arm64, ${a.webhookSeconds} s`,
      (a.webhookMemoryMb / 1024) * a.webhookSeconds,
      'GB-s (webhook)',
      p.lambdaArmUsdPerGbSecond,
    ),
    line(
      'Lambda requests: worker delivery, its wake-up, the webhook endpoint',
      r.lambdaRequests,
      'request',
      p.lambdaUsdPerRequest,
    ),
    {
      item: `poster: renderStillOnLambda, 1 invocation of the Remotion function, ${posterSeconds.toFixed(1)} s (a renderer's start-up + 1 frame), via estimatePrice`,
      quantity: 1,
      unit: 'invocation',
      usd: estimatePrice({
        region: a.region,
        memorySizeInMb: a.remotionMemoryMb,
        diskSizeInMb: a.remotionDiskMb,
        lambdasInvoked: 1,
        durationInMilliseconds: posterSeconds * 1000,
      }),
    },
    line(
      // getRenderProgress with skipLambdaInvocation reads progress.json from S3 (no invocation); once the render is
      // done it also finds the video with a HEAD.
      `progress: ${polls} polls every ${a.pollIntervalSeconds} s + 1 on the wake-up, each an S3 GET of Remotion's progress.json (skipLambdaInvocation), and the video's HEAD once done`,
      progressReads + 1,
      'S3 request',
      p.s3UsdPerReadRequest,
    ),
    line(
      "SQS: the Pipe's send, the worker's receive + delete, the wake-up's send + receive + delete",
      r.sqsRequests,
      'request',
      p.sqsUsdPerRequest,
    ),
    line('Pipe: the INSERT event', 1, 'request', p.pipesUsdPerRequest),
    line(
      `AppSync operations: create, ${r.appSyncOperations - 1} worker writes, ${polls} progress pushes`,
      appSyncOperations,
      'operation',
      p.appSyncUsdPerOperation,
    ),
    line(
      `AppSync real-time messages: each Job write (${jobWrites}) to ${a.subscribers} subscribed tab`,
      jobWrites * a.subscribers,
      'message',
      p.appSyncUsdPerRealtimeMessage,
    ),
    line(
      'AppSync connection-minutes while the render runs',
      (renderWallSeconds / 60) * a.subscribers,
      'connection-minute',
      p.appSyncUsdPerConnectionMinute,
    ),
    line(
      `DynamoDB writes: ${jobWrites} Job writes × (table + ${a.jobIndexes} indexes), ${r.jobStatusMoves} status-index moves, ${r.slotWrites} slot writes, ${r.ledgerWrites} ledger writes (each < 1 KB)`,
      writeUnits,
      'WRU',
      p.dynamoDbUsdPerWriteUnit,
    ),
    line(
      `DynamoDB reads: the worker's ${r.consistentTableReads} consistent job and slot reads, ${r.statusIndexReads} status-index queries (0.5 each), ${r.ledgerStrongReads} consistent ledger reads`,
      readUnits,
      'RRU',
      p.dynamoDbUsdPerReadUnit,
    ),
    line(
      `CloudWatch Logs: ~${a.workerLogBytesPerJob.toLocaleString('en-US')} bytes of JSON log lines and EMF metrics`,
      a.workerLogBytesPerJob / 1024 ** 3,
      'GB',
      p.cloudWatchLogsUsdPerGb,
    ),
  ];
  const overheadUsd = overhead.reduce((sum, entry) => sum + entry.usd, 0);
  const totalUsd = remotionUsd + overheadUsd;
  return {
    videoSeconds,
    frames,
    framesPerLambda,
    renderLambdas,
    renderWallSeconds,
    remotionLambdaSeconds,
    remotionUsd,
    overhead,
    overheadUsd,
    totalUsd,
    overheadShare: totalUsd > 0 ? overheadUsd / totalUsd : 0,
  };
}

/** The three lengths the issue asks about: 10 s, 1 min, 10 min. */
export const COST_VIDEO_SECONDS = [10, 60, 600] as const;

/**
 * One estimate per format Remotion Lambda renders: the model above with the time per frame scaled by the format's
 * factor (measured against MP4 in the same bench run when given, else `timeFactor` of contract/output-formats.ts).
 */
export function estimateRenderCostByFormat(
  videoSeconds: number,
  assumptions: CostAssumptions = DEFAULT_COST_ASSUMPTIONS,
  measuredFactors: Partial<Record<OutputFormat, number>> = {},
): Partial<Record<OutputFormat, RenderCostEstimate>> {
  const estimates: Partial<Record<OutputFormat, RenderCostEstimate>> = {};
  for (const format of OUTPUT_FORMATS) {
    const details = OUTPUT_FORMAT_DETAILS[format];
    if (!details.codec) continue;
    const factor = measuredFactors[format] ?? details.timeFactor;
    estimates[format] = estimateRenderCost(videoSeconds, {
      ...assumptions,
      secondsPerFrame: assumptions.secondsPerFrame * factor,
    });
  }
  return estimates;
}
