import { estimatePrice } from '@remotion/lambda/client';
import { validateFramesPerFunction } from '@remotion/serverless-client';
import { REMOTION_FUNCTION_DEFAULTS } from '../amplify/render-pipeline/config';

/**
 * Public list prices, us-east-1, read on 2025-11 from the pages named beside each.
 * Free tiers are ignored: a studio past its first month pays these.
 */
export const AWS_PRICES_US_EAST_1 = {
  /** aws.amazon.com/lambda/pricing — x86_64, per GB-second (the worker; `defineFunction` defaults to x86_64). */
  lambdaX86UsdPerGbSecond: 0.0000166667,
  /** aws.amazon.com/lambda/pricing — per request. */
  lambdaUsdPerRequest: 0.2 / 1_000_000,
  /** aws.amazon.com/sqs/pricing — standard queue, per request (a 64 KB chunk). */
  sqsUsdPerRequest: 0.4 / 1_000_000,
  /** aws.amazon.com/dynamodb/pricing/on-demand — per write request unit (price since 2024-11-01). */
  dynamoDbUsdPerWriteUnit: 0.625 / 1_000_000,
  /** aws.amazon.com/dynamodb/pricing/on-demand — per read request unit (price since 2024-11-01). */
  dynamoDbUsdPerReadUnit: 0.125 / 1_000_000,
  /** aws.amazon.com/appsync/pricing — per query or mutation operation. */
  appSyncUsdPerOperation: 4.0 / 1_000_000,
  /** aws.amazon.com/appsync/pricing — per real-time message delivered to a subscriber. */
  appSyncUsdPerRealtimeMessage: 2.0 / 1_000_000,
  /** aws.amazon.com/appsync/pricing — per connection-minute. */
  appSyncUsdPerConnectionMinute: 0.08 / 1_000_000,
  /** aws.amazon.com/eventbridge/pricing — Pipes, per request after filtering. */
  pipesUsdPerRequest: 0.4 / 1_000_000,
} as const;

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
  /** The worker Lambda's memory (amplify/functions/render-worker/resource.ts). */
  workerMemoryMb: number;
  /** Worker time besides waiting for the render: load, validate, start, final writes. */
  workerOwnSeconds: number;
  /** Progress polls per second of render (`getRenderProgress` invokes the Remotion function each time). */
  pollsPerSecond: number;
  /** Billed duration of one `getRenderProgress` status invocation. */
  pollInvocationMs: number;
  /** Progress pushes to the Job per second of render (docs/architecture.md, "Job lifecycle": ≥ 1 % or 2 s; ~1/s). */
  progressPushesPerSecond: number;
  /** Browser tabs subscribed to the job's updates. */
  subscribers: number;
  /** Jobs stored in the Job table: each start lists active jobs twice, and `listJobs` with a filter scans them all. */
  jobTableItems: number;
  /** Size of one stored Job item. */
  jobItemBytes: number;
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
  workerMemoryMb: 1024,
  workerOwnSeconds: 1,
  pollsPerSecond: 1,
  pollInvocationMs: 200,
  progressPushesPerSecond: 1,
  subscribers: 1,
  jobTableItems: 10_000,
  jobItemBytes: 600,
};

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
 * project adds around it (worker Lambda, progress polls, SQS, DynamoDB, AppSync, Pipe).
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

  const polls = Math.ceil(renderWallSeconds * a.pollsPerSecond);
  const pushes = Math.ceil(renderWallSeconds * a.progressPushesPerSecond);
  // Worker writes: claim (RENDERING), record renderId, progress pushes, final status.
  const workerMutations = 3 + pushes;
  const workerSeconds = renderWallSeconds + a.workerOwnSeconds;
  // Eventually consistent reads: 0.5 RRU per 4 KB read; a Scan page holds at most 1,000 items (the worker's limit).
  const scanReadUnits = Math.ceil((a.jobTableItems * a.jobItemBytes) / 4096) * 0.5;
  const scanPages = Math.max(1, Math.ceil(a.jobTableItems / 1000));
  const line = (item: string, quantity: number, unit: string, unitUsd: number): CostLine => ({
    item,
    quantity,
    unit,
    usd: quantity * unitUsd,
  });
  const overhead: CostLine[] = [
    line(
      `worker Lambda ${a.workerMemoryMb} MB waiting ${workerSeconds.toFixed(1)} s`,
      (a.workerMemoryMb / 1024) * workerSeconds,
      'GB-s',
      p.lambdaX86UsdPerGbSecond,
    ),
    line('worker Lambda invocation', 1, 'request', p.lambdaUsdPerRequest),
    {
      item: `getRenderProgress polls (Remotion function, ${a.pollInvocationMs} ms each, via estimatePrice)`,
      quantity: polls,
      unit: 'invocation',
      usd: estimatePrice({
        region: a.region,
        memorySizeInMb: a.remotionMemoryMb,
        diskSizeInMb: a.remotionDiskMb,
        lambdasInvoked: polls,
        durationInMilliseconds: polls * a.pollInvocationMs,
      }),
    },
    line('SQS: Pipe send + worker receive + delete', 3, 'request', p.sqsUsdPerRequest),
    line('Pipe: the INSERT event', 1, 'request', p.pipesUsdPerRequest),
    line(
      'DynamoDB writes: create + worker mutations (<1 KB each)',
      1 + workerMutations,
      'WRU',
      p.dynamoDbUsdPerWriteUnit,
    ),
    line(
      `DynamoDB reads: job get + 2 active-job listings, each a Scan of ${a.jobTableItems.toLocaleString('en-US')} stored jobs`,
      0.5 + 2 * scanReadUnits,
      'RRU',
      p.dynamoDbUsdPerReadUnit,
    ),
    line(
      `AppSync operations: create + get + 2 listings of ${scanPages} page(s) + worker mutations`,
      2 + 2 * scanPages + workerMutations,
      'operation',
      p.appSyncUsdPerOperation,
    ),
    line(
      'AppSync real-time messages: one per worker mutation per subscriber',
      workerMutations * a.subscribers,
      'message',
      p.appSyncUsdPerRealtimeMessage,
    ),
    line(
      'AppSync connection-minutes while the render runs',
      (renderWallSeconds / 60) * a.subscribers,
      'connection-minute',
      p.appSyncUsdPerConnectionMinute,
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
