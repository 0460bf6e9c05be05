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

/** Pixels of the frame the per-frame figure was measured on. */
const HD_PIXELS = 1280 * 720;

/**
 * Seconds per 1280×720 MP4 frame, whole job included (queue, start, encode, upload): the local pipeline median
 * of `bench/results/latest.json` (`render_pipeline_median_ms` 25,076 ms for 150 frames of title-card, quick
 * mode, 2026-12-07, on 2 cores), which is also what `bench/cloud-cost.ts` takes for a Lambda renderer's frame.
 */
export const SECONDS_PER_HD_FRAME = 25.076 / 150;

/** Remotion Lambda's fixed costs around the frames (the cost model's `mainSetupSeconds` + `rendererStartupSeconds`). */
const CLOUD_STARTUP_SECONDS = 2 + 3;

/** The Remotion function's size (`REMOTION_FUNCTION_DEFAULTS` in amplify/render-pipeline/config.ts). */
const REMOTION_MEMORY_MB = 2048;
const REMOTION_DISK_MB = 2048;

/**
 * Our overhead beside Remotion's Lambdas, from bench/cloud-cost.ts's model (tests/unit/outputs checks it against
 * `estimateRenderCost`): per second of render, the 1 GB worker waiting (x86, $0.0000166667/GB-s) and one
 * progress push (a DynamoDB write, an AppSync mutation and a real-time message); per job, SQS, the Pipe and the
 * two active-job scans of a 10,000-job table with their AppSync operations.
 */
export const OVERHEAD_USD_PER_RENDER_SECOND = 0.0000166667 + 0.625e-6 + 4e-6 + 2e-6;
export const OVERHEAD_USD_PER_JOB = 0.0002;
/** Each second of render also costs one progress poll: a 200 ms invocation of the Remotion function. */
const POLL_MS_PER_RENDER_SECOND = 200;

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
  const polls = Math.ceil(seconds);
  const pollUsd = estimatePrice({
    region: 'us-east-1',
    memorySizeInMb: REMOTION_MEMORY_MB,
    diskSizeInMb: REMOTION_DISK_MB,
    lambdasInvoked: polls,
    durationInMilliseconds: polls * POLL_MS_PER_RENDER_SECOND,
  });
  const overheadUsd = OVERHEAD_USD_PER_JOB + seconds * OVERHEAD_USD_PER_RENDER_SECOND + pollUsd;
  return { seconds, costUsd: remotionUsd + overheadUsd };
};
