import { describe, expect, it } from 'vitest';
import { estimateRender, SECONDS_PER_HD_FRAME } from '../../../contract/output-estimate';
import { checkOutputChoice, GIF_MAX_FRAMES } from '../../../contract/output-formats';

const hd = { width: 1280, height: 720, durationInFrames: 150 };

describe('checkOutputChoice', () => {
  it('takes MP4 at 1× when nothing is chosen, and scales the size', () => {
    expect(checkOutputChoice({}, hd, 'cloud')).toEqual({
      ok: true,
      choice: { outputFormat: 'mp4', scale: 1 },
      output: { width: 1280, height: 720 },
    });
    expect(checkOutputChoice({ outputFormat: 'webm', scale: 2 }, hd, 'cloud')).toMatchObject({
      ok: true,
      output: { width: 2560, height: 1440 },
    });
  });

  it('says what was expected and what came for an unknown format or scale', () => {
    expect(checkOutputChoice({ outputFormat: 'avi' }, hd, 'local')).toEqual({
      ok: false,
      message: expect.stringMatching(/outputFormat must be one of .*but got "avi"/),
    });
    expect(checkOutputChoice({ scale: 3 }, hd, 'local')).toEqual({
      ok: false,
      message: expect.stringMatching(/scale must be one of 0.5, 1, 2, but got 3/),
    });
  });

  it('refuses a PNG sequence in the cloud only', () => {
    expect(checkOutputChoice({ outputFormat: 'png-zip' }, hd, 'cloud')).toEqual({
      ok: false,
      message: expect.stringMatching(/Remotion Lambda cannot render image sequences/),
    });
    expect(checkOutputChoice({ outputFormat: 'png-zip' }, hd, 'local').ok).toBe(true);
  });

  it('refuses odd sizes for H.264 and VP9, and GIFs too long or too large', () => {
    const odd = { width: 1281, height: 721, durationInFrames: 10 };
    expect(checkOutputChoice({ outputFormat: 'mp4' }, odd, 'local')).toMatchObject({ ok: false });
    expect(checkOutputChoice({ outputFormat: 'gif' }, odd, 'local').ok).toBe(false);
    expect(
      checkOutputChoice(
        { outputFormat: 'gif' },
        { ...hd, durationInFrames: GIF_MAX_FRAMES + 1 },
        'local',
      ),
    ).toEqual({ ok: false, message: expect.stringMatching(/at most 300 frames/) });
    expect(checkOutputChoice({ outputFormat: 'gif', scale: 2 }, hd, 'local')).toEqual({
      ok: false,
      message: expect.stringMatching(/at most 1280×720/),
    });
    expect(checkOutputChoice({ outputFormat: 'gif' }, hd, 'local').ok).toBe(true);
  });
});

describe('estimateRender', () => {
  it('scales the measured time per frame by pixels and format, locally at no cost', () => {
    const mp4 = estimateRender({
      frames: 150,
      ...hd,
      choice: { outputFormat: 'mp4', scale: 1 },
      target: 'local',
    });
    expect(mp4).toEqual({ seconds: 150 * SECONDS_PER_HD_FRAME, costUsd: null });
    const big = estimateRender({
      frames: 150,
      ...hd,
      choice: { outputFormat: 'mp4', scale: 2 },
      target: 'local',
    });
    expect(big.seconds).toBeCloseTo(4 * mp4.seconds);
  });

  it('splits frames over renderers in the cloud and prices them with the given estimatePrice', () => {
    const calls: number[] = [];
    const estimate = estimateRender({
      frames: 150,
      ...hd,
      choice: { outputFormat: 'mp4', scale: 1 },
      target: 'cloud',
      renderersPerRender: 2,
      estimatePrice: ({ lambdasInvoked }) => (calls.push(lambdasInvoked), 0.001),
    });
    expect(estimate.seconds).toBeCloseTo(5 + 75 * SECONDS_PER_HD_FRAME);
    expect(calls[0]).toBe(3);
    expect(estimate.costUsd).toBeGreaterThan(0.002);
  });
});
