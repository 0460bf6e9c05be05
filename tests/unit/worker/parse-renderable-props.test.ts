import { describe, expect, it } from 'vitest';
import { createRenderWorker } from '../../../amplify/functions/render-worker/job-lifecycle';
import { createRenderablePropsParser } from '../../../amplify/functions/render-worker/parse-renderable-props';
import { findCompositionSpec, parseInputProps } from '../../../remotion/catalog';
import { slideshowSpec } from '../../../remotion/compositions/slideshow/schema';
import { checkVideoFitsLimits, type RenderLimits } from '../../../contract/render-limits';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
} from '../../support/worker-fakes';

/** The default deployment's limits: 720 frames of 1280×720. */
const DEFAULT_LIMITS: RenderLimits = { remotionTimeoutSeconds: 120, renderersPerRender: 2 };

/** Slideshow props of `slides` slides shown `secondsPerSlide` each (30 fps). */
const slideshowOf = (slides: number, secondsPerSlide: number) => ({
  slides: Array.from(
    { length: slides },
    (_, i) => slideshowSpec.defaultProps.slides[i % slideshowSpec.defaultProps.slides.length]!,
  ),
  secondsPerSlide,
});

const parse = createRenderablePropsParser(DEFAULT_LIMITS, parseInputProps);

describe('createRenderablePropsParser', () => {
  it('passes a video that fits, with the complete props the catalog returned', () => {
    const input = slideshowOf(4, 2.5); // 300 frames
    expect(parse('slideshow', input)).toEqual(parseInputProps('slideshow', input));
    expect(parse('slideshow', input).ok).toBe(true);
  });

  it('refuses 8 slides × 10 s (2400 frames) with the same words as the studio', () => {
    const result = parse('slideshow', slideshowOf(8, 10));

    const expected = checkVideoFitsLimits(DEFAULT_LIMITS, {
      width: 1280,
      height: 720,
      fps: 30,
      durationInFrames: 2400,
    });
    expect(expected.ok).toBe(false);
    expect(result).toEqual({ ok: false, message: !expected.ok && expected.message });
    expect(!result.ok && result.message).toMatch(/^This video is 2400 frames \(80 s at 30 fps/);
  });

  it('measures a composition without calculateDurationInFrames by its fixed duration', () => {
    // One renderer, 60 s: (60 − 30) ÷ 0.25 = 120 frames, fewer than the title card's 150.
    const tight = createRenderablePropsParser(
      { remotionTimeoutSeconds: 60, renderersPerRender: 1 },
      parseInputProps,
    );
    const result = tight('title-card', { title: 'Hi' });
    expect(!result.ok && result.message).toMatch(/^This video is 150 frames .* at most 120 frames/);
    expect(parse('title-card', { title: 'Hi' }).ok).toBe(true);
  });

  it("uses the composition's own frame size: 4× the pixels of HD fit a quarter of the frames", () => {
    const hd = { ...findCompositionSpec('title-card')!, durationInFrames: 200 };
    const large = { ...hd, width: 2560, height: 1440 };
    const parseHd = createRenderablePropsParser(DEFAULT_LIMITS, parseInputProps, () => hd);
    const parseLarge = createRenderablePropsParser(DEFAULT_LIMITS, parseInputProps, () => large);

    expect(parseHd('title-card', { title: 'Hi' }).ok).toBe(true); // 200 frames ≤ 720
    const result = parseLarge('title-card', { title: 'Hi' }); // 200 frames > 720 ÷ 4
    expect(!result.ok && result.message).toMatch(/200 frames .*2560×1440.* at most 180 frames/);
  });

  it("returns the catalog's refusal unchanged, issues included", () => {
    const invalid = { ...slideshowOf(8, 10), secondsPerSlide: 'long' };
    expect(parse('slideshow', invalid)).toEqual(parseInputProps('slideshow', invalid));
    expect(parse('nope', {})).toEqual(parseInputProps('nope', {}));
  });

  it('refuses props it cannot measure: valid by the parser, but no composition in the catalog', () => {
    const parseUnknown = createRenderablePropsParser(
      DEFAULT_LIMITS,
      () => ({ ok: true, props: {} }),
      () => undefined,
    );
    const result = parseUnknown('made-up', {});
    expect(!result.ok && result.message).toMatch(/"made-up" .* not in the catalog/);
  });

  it('makes the worker end a too-long job FAILED with that message, never rendered, never retried', async () => {
    const clock = createFakeClock();
    const db = createInMemoryJobStore();
    const rendering = createScriptedRenderer(clock);
    const recording = createRecordingQueue();
    const worker = createRenderWorker({
      store: db.store,
      renderer: rendering.renderer,
      clock,
      queue: recording.queue,
      parseInputProps: parse,
      config: { renderCap: 2 },
    });
    db.insert({ id: 'long', compositionId: 'slideshow', inputProps: slideshowOf(8, 10) });

    const outcome = await worker.processDelivery({
      jobId: 'long',
      receiveCount: 1,
      deadlineMs: clock.now() + 600_000,
    });

    expect(outcome.action).toBe('ack');
    expect(db.jobs.get('long')).toMatchObject({ status: 'FAILED' });
    expect(db.jobs.get('long')!.errorMessage).toContain(
      'This video is 2400 frames (80 s at 30 fps, 1280×720)',
    );
    expect(rendering.startsByJob.size).toBe(0);
    expect(recording.retries).toEqual([]);
    expect(recording.continuations).toEqual([]);
  });
});
