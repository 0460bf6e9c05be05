/**
 * The estimate the studio shows before Render: time from the benchmarks' measured time per frame, and for the
 * cloud, cost from Remotion's `estimatePrice` (injected, so this module stays plain) plus our own overhead, as
 * `bench/cloud-cost.ts` models it (docs/architecture.md, "Outputs").
 */
import {
  OUTPUT_FORMAT_DETAILS,
  scaledSize,
  type OutputChoice,
  type RenderTarget,
} from './output-formats';
import { AWS_PRICES_US_EAST_1 } from './aws-prices';

/** Pixels of the frame the per-frame figure was measured on. */
const HD_PIXELS = 1280 * 720;

/**
 * Seconds per 1280×720 MP4 frame, whole job included (queue, start, encode, upload): the local pipeline median
 * of `bench/results/latest.json` (`render_pipeline_median_ms` 16,136 ms for 150 frames of title-card, quick
 * mode, 2026-12-08 01:21, on 2 cores). The studio's cloud estimate uses it too; BENCHMARKS.md's cloud figures take a
 * renderer Lambda's frame from the same run's warm in-process median instead (`costAssumptionsOf` in bench/run.ts).
 */
export const SECONDS_PER_HD_FRAME = 16.136 / 150;

/** A renderer Lambda's start-up (cold start, Chromium, site): the cost model's `rendererStartupSeconds`. */
const RENDERER_STARTUP_SECONDS = 3;
/** Remotion Lambda's fixed costs around the frames (the cost model's `mainSetupSeconds` + `rendererStartupSeconds`). */
const CLOUD_STARTUP_SECONDS = 2 + RENDERER_STARTUP_SECONDS;

/** The Remotion function's size (`REMOTION_FUNCTION_DEFAULTS` in amplify/render-pipeline/config.ts). */
const REMOTION_MEMORY_MB = 2048;
const REMOTION_DISK_MB = 2048;

/** The worker Lambda's memory, arm64 (`RENDER_WORKER_MEMORY_MB`; tests/unit/outputs holds the two equal). */
export const WORKER_MEMORY_MB = 256;
/** Seconds between progress polls while Remotion's webhook reports the end (`POLL_INTERVAL_WITH_WEBHOOK_MS`). */
export const POLL_INTERVAL_SECONDS = 4;
/**
 * One progress poll: an S3 GET of Remotion's progress.json (`skipLambdaInvocation`, no invocation), and its progress
 * push: one AppSync mutation, its real-time message to one tab, a Job write in 2 indexes.
 */
const POLL_USD =
  AWS_PRICES_US_EAST_1.s3UsdPerReadRequest +
  AWS_PRICES_US_EAST_1.appSyncUsdPerOperation +
  AWS_PRICES_US_EAST_1.appSyncUsdPerRealtimeMessage +
  3 * AWS_PRICES_US_EAST_1.dynamoDbUsdPerWriteUnit;
/** The worker Lambda's price per second it runs or waits (arm64). */
const WORKER_USD_PER_SECOND =
  (WORKER_MEMORY_MB / 1024) * AWS_PRICES_US_EAST_1.lambdaArmUsdPerGbSecond;

/**
 * Our overhead beside Remotion's Lambdas, as bench/cloud-cost.ts models it (tests/unit/outputs holds this within 10 %
 * of `estimateRenderCost` for 10 s, 1 min and 10 min videos): per second of render, the worker waiting and a quarter
 * of a poll; per job, the poster (`estimateCloudOverheadUsd`) and the model's lines that do not grow with the render
 * (the worker's own second and its wake-up, the webhook, SQS, the Pipe, 4 AppSync operations, the worker's table
 * reads, the slot and ledger writes, logs, the wake-up's progress read and the video's HEAD): $0.0000482 in today's
 * model (the mean over 10 s, 1 min and 10 min).
 */
export const OVERHEAD_USD_PER_RENDER_SECOND =
  WORKER_USD_PER_SECOND + POLL_USD / POLL_INTERVAL_SECONDS;
export const OVERHEAD_USD_PER_JOB = 0.0000482;

/** Remotion's `estimatePrice` (`@remotion/lambda/client` in Node, `remotion-lambda-price.ts` in the browser), passed in. */
export type EstimatePrice = (input: {
  region: 'us-east-1';
  memorySizeInMb: number;
  diskSizeInMb: number;
  lambdasInvoked: number;
  durationInMilliseconds: number;
}) => number;

/** What the studio shows before Render. */
export interface RenderEstimate {
  seconds: number;
  /** Cloud only; local renders cost nothing. */
  costUsd: number | null;
}

/** Estimated render time (and cloud cost) of `frames` frames of a `width`×`height` composition. */
export const estimateRender = ({
  frames,
  width,
  height,
  choice,
  target,
  renderersPerRender = 1,
  estimatePrice,
}: {
  frames: number;
  width: number;
  height: number;
  choice: OutputChoice;
  target: RenderTarget;
  /** Cloud: renderer Lambdas per render (`renderersPerRender` of the render limits). */
  renderersPerRender?: number;
  estimatePrice?: EstimatePrice;
}): RenderEstimate => {
  const output = scaledSize({ width, height }, choice.scale);
  const secondsPerFrame =
    SECONDS_PER_HD_FRAME *
    Math.max(0.25, (output.width * output.height) / HD_PIXELS) *
    OUTPUT_FORMAT_DETAILS[choice.outputFormat].timeFactor;
  if (target === 'local') return { seconds: frames * secondsPerFrame, costUsd: null };
  const renderers = Math.max(1, Math.min(renderersPerRender, frames));
  const chunkSeconds = Math.ceil(frames / renderers) * secondsPerFrame;
  const seconds = CLOUD_STARTUP_SECONDS + chunkSeconds;
  if (!estimatePrice) return { seconds, costUsd: null };
  const remotionUsd = estimatePrice({
    region: 'us-east-1',
    memorySizeInMb: REMOTION_MEMORY_MB,
    diskSizeInMb: REMOTION_DISK_MB,
    lambdasInvoked: renderers + 1,
    durationInMilliseconds: (renderers * (3 + chunkSeconds) + seconds) * 1000,
  });
  const posterSeconds = RENDERER_STARTUP_SECONDS + secondsPerFrame;
  return {
    seconds,
    costUsd:
      remotionUsd +
      estimateCloudOverheadUsd({ renderSeconds: seconds, posterSeconds }, estimatePrice),
  };
};

/**
 * This project's cost around a cloud render that runs `renderSeconds`: the worker, progress polls, the poster (one
 * `renderStillOnLambda` of `posterSeconds`, which the worker waits for while the video renders, no longer than it),
 * the rest per job.
 */
export const estimateCloudOverheadUsd = (
  { renderSeconds, posterSeconds }: { renderSeconds: number; posterSeconds: number },
  estimatePrice: EstimatePrice,
): number => {
  const posterUsd = estimatePrice({
    region: 'us-east-1',
    memorySizeInMb: REMOTION_MEMORY_MB,
    diskSizeInMb: REMOTION_DISK_MB,
    lambdasInvoked: 1,
    durationInMilliseconds: posterSeconds * 1000,
  });
  return OVERHEAD_USD_PER_JOB + renderSeconds * OVERHEAD_USD_PER_RENDER_SECOND + posterUsd;
};
