import { describe, expect, it } from 'vitest';
import {
  maxHdFramesOf,
  readPipelineConfig,
  REMOTION_FUNCTION_DEFAULTS,
} from '../../amplify/render-pipeline/config';
import {
  checkVideoFitsLimits,
  EXECUTIONS_PER_RENDER_BESIDES_RENDERERS,
  LAMBDA_SECONDS_PER_HD_FRAME,
  MAX_RENDERERS_PER_RENDER,
  maxRenderableFrames,
  peakExecutionsOf,
  RENDER_OVERHEAD_SECONDS,
  renderersPerRenderWithin,
  RESERVED_EXECUTIONS,
  type RenderLimits,
} from '../../contract/render-limits';

const HD = { width: 1280, height: 720 };
const limitsOf = (overrides: Partial<RenderLimits> = {}): RenderLimits => ({
  remotionTimeoutSeconds: 120,
  renderersPerRender: 2,
  ...overrides,
});
/** Frames the formula's parts allow: renderers × (timeout − overhead) ÷ seconds per frame. */
const framesFromParts = (limits: RenderLimits, secondsPerFrame: number) =>
  Math.floor(
    (limits.renderersPerRender * (limits.remotionTimeoutSeconds - RENDER_OVERHEAD_SECONDS)) /
      secondsPerFrame,
  );

describe('render limits', () => {
  it('lets the default configuration render 720 frames (24 s at 30 fps) of 1280×720', () => {
    const config = readPipelineConfig({});
    expect(config).toMatchObject({
      remotionTimeoutSeconds: REMOTION_FUNCTION_DEFAULTS.timeoutInSeconds,
      renderersPerRender: 2,
    });
    const fromParts = framesFromParts(
      { remotionTimeoutSeconds: config.remotionTimeoutSeconds, renderersPerRender: 2 },
      LAMBDA_SECONDS_PER_HD_FRAME,
    );
    expect(maxHdFramesOf(config)).toBe(fromParts);
    // The figure docs/architecture.md quotes: change it there when a part above changes.
    expect(maxHdFramesOf(config)).toBe(720);
  });

  it('scales the time per frame with the pixel count above 1280×720, never below it', () => {
    const limits = limitsOf();
    const hd = maxRenderableFrames(limits, HD);
    // 4× the pixels: a quarter of the frames.
    expect(maxRenderableFrames(limits, { width: 2560, height: 1440 })).toBe(hd / 4);
    // 1920×1080 is 2.25× the pixels.
    expect(maxRenderableFrames(limits, { width: 1920, height: 1080 })).toBe(
      framesFromParts(limits, LAMBDA_SECONDS_PER_HD_FRAME * 2.25),
    );
    // Smaller frames are budgeted as HD: Chromium's per-frame cost does not shrink with them.
    expect(maxRenderableFrames(limits, { width: 640, height: 360 })).toBe(hd);
  });

  it('grows linearly with the renderers and with the time left after the overhead', () => {
    const base = maxRenderableFrames(limitsOf(), HD);
    expect(maxRenderableFrames(limitsOf({ renderersPerRender: 4 }), HD)).toBe(base * 2);
    const longer = limitsOf({ remotionTimeoutSeconds: 120 + (120 - RENDER_OVERHEAD_SECONDS) });
    expect(maxRenderableFrames(longer, HD)).toBe(base * 2);
  });

  it('allows no frames when the timeout is spent on the overhead alone', () => {
    for (const remotionTimeoutSeconds of [1, RENDER_OVERHEAD_SECONDS]) {
      expect(maxRenderableFrames(limitsOf({ remotionTimeoutSeconds }), HD)).toBe(0);
    }
  });

  it('accepts a video up to the limit and refuses one frame more, saying what to change', () => {
    const limits = limitsOf();
    const max = maxRenderableFrames(limits, HD);
    const video = { ...HD, fps: 30 };
    expect(checkVideoFitsLimits(limits, { ...video, durationInFrames: max })).toEqual({ ok: true });

    const refused = checkVideoFitsLimits(limits, { ...video, durationInFrames: 2400 });
    expect(refused).toEqual({
      ok: false,
      message:
        `This video is 2400 frames (80 s at 30 fps, 1280×720), but the render service can finish at most ` +
        `${max} frames of that size (${max / 30} s) within its 120 s time limit. Make the video shorter, ` +
        'or raise REMOTION_TIMEOUT_SECONDS (up to 900) where the backend is deployed.',
    });
    expect(checkVideoFitsLimits(limits, { ...video, durationInFrames: max + 1 }).ok).toBe(false);
  });

  it('gives each render the renderers that fit the budget beside the others and the reserve', () => {
    for (const budget of [6, 10, 11, 20, 100, 1000, 100_000]) {
      for (const renderCap of [1, 2, 3, 4, 10, 50]) {
        const renderers = renderersPerRenderWithin(budget, renderCap);
        expect(renderers).toBeGreaterThanOrEqual(0);
        expect(renderers).toBeLessThanOrEqual(MAX_RENDERERS_PER_RENDER);
        if (renderers === 0) continue;
        expect(peakExecutionsOf(renderCap, renderers)).toBe(
          renderCap * (renderers + EXECUTIONS_PER_RENDER_BESIDES_RENDERERS) + RESERVED_EXECUTIONS,
        );
        expect(peakExecutionsOf(renderCap, renderers)).toBeLessThanOrEqual(budget);
        // One renderer more would not fit, unless Remotion's own ceiling is what stops it.
        if (renderers < MAX_RENDERERS_PER_RENDER) {
          expect(peakExecutionsOf(renderCap, renderers + 1)).toBeGreaterThan(budget);
        }
      }
    }
    expect(renderersPerRenderWithin(10, 2)).toBe(2);
    expect(renderersPerRenderWithin(10, 3)).toBe(0);
  });
});

describe('the smallest configuration the backend accepts', () => {
  it("still renders every composition's default video", async () => {
    const { compositionCatalog } = await import('../../remotion/catalog');
    const { readPipelineConfig } = await import('../../amplify/render-pipeline/config');
    // The lowest timeout config.ts accepts, with a single renderer per render.
    let lowest = 900;
    for (let seconds = 900; seconds >= 1; seconds -= 1) {
      try {
        readPipelineConfig({ REMOTION_TIMEOUT_SECONDS: String(seconds) });
        lowest = seconds;
      } catch {
        break;
      }
    }
    const limits = { remotionTimeoutSeconds: lowest, renderersPerRender: 1 };
    for (const spec of compositionCatalog) {
      const video = {
        width: spec.width,
        height: spec.height,
        fps: spec.fps,
        durationInFrames:
          spec.calculateDurationInFrames?.(spec.defaultProps) ?? spec.durationInFrames,
      };
      expect(checkVideoFitsLimits(limits, video), spec.id).toEqual({ ok: true });
    }
  });
});
