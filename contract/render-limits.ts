/**
 * How long a video the cloud can render, and how a render's Lambda fan-out fits the account's
 * concurrency. Plain TypeScript: the backend's config, the render worker, the studio and local
 * mode import it, so all four refuse the same videos with the same words (docs/architecture.md,
 * "Render limits").
 */

/** Frame size the per-frame figure below was budgeted for. */
const HD_PIXELS = 1280 * 720;

/**
 * Seconds one 2 GB Remotion renderer Lambda is budgeted per 1280×720 frame. Measured here:
 * `renderMedia` takes ~0.08 s a frame on two cores (BENCHMARKS.md); a 2 GB Lambda has about
 * 1.2 vCPU, so three times that leaves room for slower frames. Larger frames scale by pixel count.
 */
export const LAMBDA_SECONDS_PER_HD_FRAME = 0.25;

/** Seconds of each render spent outside frames: cold start, browser launch, stitching, upload. */
export const RENDER_OVERHEAD_SECONDS = 30;

/** Lambda executions each render in flight holds besides its renderers: the worker and Remotion's main function. */
export const EXECUTIONS_PER_RENDER_BESIDES_RENDERERS = 2;

/**
 * Executions kept free for everything else that runs beside renders: the video-URL resolver, the
 * DLQ consumer, the reconciler and the key rotation (all short). A wake-up from Remotion's webhook (at most
 * `WAKE_UP_CONCURRENCY` at once, contract/job-contract.ts) needs none of them: it runs once its render's
 * renderers have ended, in an execution that render just gave back.
 */
export const RESERVED_EXECUTIONS = 2;

/** Remotion refuses more renderer Lambdas per render than this (`MAX_FUNCTIONS_PER_RENDER`). */
export const MAX_RENDERERS_PER_RENDER = 200;

/** What bounds a cloud render: the render function's timeout and its fan-out. */
export interface RenderLimits {
  /** The Remotion render function's timeout, which is Remotion's deadline for the whole render. */
  remotionTimeoutSeconds: number;
  /** Renderer Lambdas one render may use at once (Remotion's `concurrency`). */
  renderersPerRender: number;
}

/** The size and length of one video. */
export interface VideoSize {
  width: number;
  height: number;
  fps: number;
  durationInFrames: number;
}

/** Renderer Lambdas per render when `renderCap` renders share `budget` concurrent executions; 0 if none fit. */
export const renderersPerRenderWithin = (budget: number, renderCap: number): number =>
  Math.min(
    MAX_RENDERERS_PER_RENDER,
    Math.max(
      0,
      Math.floor((budget - RESERVED_EXECUTIONS) / renderCap) -
        EXECUTIONS_PER_RENDER_BESIDES_RENDERERS,
    ),
  );

/** Concurrent Lambda executions a configuration needs at its busiest. */
export const peakExecutionsOf = (renderCap: number, renderersPerRender: number): number =>
  renderCap * (renderersPerRender + EXECUTIONS_PER_RENDER_BESIDES_RENDERERS) + RESERVED_EXECUTIONS;

/** The most frames of `width`×`height` one render can finish before the render function times out. */
export const maxRenderableFrames = (
  limits: RenderLimits,
  { width, height }: Pick<VideoSize, 'width' | 'height'>,
): number => {
  const secondsPerFrame = LAMBDA_SECONDS_PER_HD_FRAME * Math.max(1, (width * height) / HD_PIXELS);
  const secondsForFrames = Math.max(0, limits.remotionTimeoutSeconds - RENDER_OVERHEAD_SECONDS);
  return Math.floor((limits.renderersPerRender * secondsForFrames) / secondsPerFrame);
};

const seconds = (frames: number, fps: number) => `${Math.round((frames / fps) * 10) / 10} s`;

/** Whether a video fits the limits; otherwise a message saying what to change. */
export const checkVideoFitsLimits = (
  limits: RenderLimits,
  video: VideoSize,
): { ok: true } | { ok: false; message: string } => {
  const max = maxRenderableFrames(limits, video);
  if (video.durationInFrames <= max) return { ok: true };
  return {
    ok: false,
    message:
      `This video is ${video.durationInFrames} frames (${seconds(video.durationInFrames, video.fps)} at ` +
      `${video.fps} fps, ${video.width}×${video.height}), but the render service can finish at most ${max} ` +
      `frames of that size (${seconds(max, video.fps)}) within its ${limits.remotionTimeoutSeconds} s time limit. ` +
      'Make the video shorter, or raise REMOTION_TIMEOUT_SECONDS (up to 900) where the backend is deployed.',
  };
};
