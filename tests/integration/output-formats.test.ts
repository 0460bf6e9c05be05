// Every output format but MP4 (local-flow.test.ts probes the MP4) rendered once, by the local renderer itself (not the whole stack), 3 frames each, and checked
// with ffprobe: codec, size and frame count; the PNG sequence is unzipped and its frames counted; each render's
// poster is a JPEG of the output's size.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRemotionBundle } from '../../local/render/remotion-bundle';
import {
  createLocalRenderer,
  createRemotionRenderFunction,
  type LocalRenderer,
} from '../../local/render/remotion-renderer';
import { CHROMIUM_PATH, PROJECT_ROOT } from '../../local/stack';
import type { OutputChoice } from '../../contract/output-formats';
import { findCompositionSpec } from '../../remotion/catalog';

const FFPROBE = join(PROJECT_ROOT, 'node_modules/@remotion/compositor-linux-x64-gnu/ffprobe');
const FRAMES = 3;
const spec = findCompositionSpec('title-card')!;

let dir: string;
let renderer: LocalRenderer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'output-formats-'));
  const remotion = createRemotionRenderFunction({
    serveUrl: ensureRemotionBundle({
      projectRoot: PROJECT_ROOT,
      cacheDir: join(PROJECT_ROOT, '.local', 'cache'),
    }),
    browserExecutable: CHROMIUM_PATH,
    frameRange: [60, 60 + FRAMES - 1],
  });
  renderer = createLocalRenderer({
    outputsDir: join(dir, 'outputs'),
    stateDir: join(dir, 'renders'),
    render: remotion.render,
    onClose: remotion.close,
  });
}, 120_000);

afterAll(async () => {
  await renderer?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Probe {
  streams: {
    codec_type: string;
    codec_name: string;
    width: number;
    height: number;
    nb_read_frames?: string;
  }[];
}

const probe = (file: string): Probe =>
  JSON.parse(
    execFileSync(
      FFPROBE,
      ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_streams', file],
      { env: { ...process.env, LD_LIBRARY_PATH: dirname(FFPROBE) } },
    ).toString(),
  ) as Probe;

/** Renders one job with `output` and waits for the local renderer to finish it. */
const renderJob = async (jobId: string, output: OutputChoice) => {
  const { renderId } = await renderer.start({
    jobId,
    owner: 'sub-formats::ada',
    compositionId: spec.id,
    inputProps: spec.defaultProps,
    output,
  });
  for (;;) {
    const progress = await renderer.getProgress(renderId);
    if (progress.state === 'failed') throw new Error(progress.message);
    if (progress.state === 'done') return progress;
    await new Promise((done) => setTimeout(done, 100));
  }
};

const outputFile = (key: string) => join(dir, 'outputs', key);

describe('every output format, rendered locally and probed', () => {
  it.each([
    // [format, scale, ffprobe codec, output width, height]
    ['webm', 0.5, 'vp9', 640, 360],
    ['gif', 0.5, 'gif', 640, 360],
    ['prores', 0.5, 'prores', 640, 360],
  ] as const)(
    '%s at %s× is %s, %i×%i, 3 frames, with a poster of that size',
    async (format, scale, codec, width, height) => {
      const done = await renderJob(`job-${format}`, { outputFormat: format, scale });

      const video = probe(outputFile(done.output.key)).streams.find(
        (stream) => stream.codec_type === 'video',
      );
      expect(video).toMatchObject({ codec_name: codec, width, height });
      expect(Number(video!.nb_read_frames)).toBe(FRAMES);
      expect(done.output.posterKey).toBe(`renders/sub-formats/job-${format}.poster.jpeg`);
      expect(probe(outputFile(done.output.posterKey!)).streams[0]).toMatchObject({
        codec_name: 'mjpeg',
        width,
        height,
      });
    },
    60_000,
  );

  it('png-zip at 0.5× is a ZIP of 3 PNGs of 640×360, with a poster', async () => {
    const done = await renderJob('job-png-zip', { outputFormat: 'png-zip', scale: 0.5 });

    const entries = Object.values(unzipSync(readFileSync(outputFile(done.output.key))));
    expect(entries).toHaveLength(FRAMES);
    for (const bytes of entries) {
      const png = Buffer.from(bytes);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([640, 360]);
    }
    // Only the four outputs and their posters are left: no scratch frames, no partial files.
    const kept = readdirSync(join(dir, 'outputs', 'renders', 'sub-formats')).sort();
    const outputs = { gif: 'gif', mov: 'prores', webm: 'webm', zip: 'png-zip' };
    expect(kept).toEqual(
      Object.entries(outputs)
        .flatMap(([extension, format]) => [
          `job-${format}.${extension}`,
          `job-${format}.poster.jpeg`,
        ])
        .sort(),
    );
  }, 60_000);
});
