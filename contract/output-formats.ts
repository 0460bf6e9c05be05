/**
 * Output formats and scales a render can have, and the one check of a choice that the studio, the render worker
 * and local mode share, so all three refuse the same choices with the same words (docs/architecture.md, "Outputs").
 */
import { z } from 'zod';
import { ownerSubOf } from './job-contract';

/** Every output format, in the order the studio lists them. */
export const OUTPUT_FORMATS = ['mp4', 'webm', 'gif', 'prores', 'png-zip'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Output sizes relative to the composition's (Remotion's `scale`). */
export const OUTPUT_SCALES = [0.5, 1, 2] as const;
export type OutputScale = (typeof OUTPUT_SCALES)[number];

/** Where a render runs: Remotion Lambda, or `@remotion/renderer` in local mode. */
export type RenderTarget = 'cloud' | 'local';

/** How one format is rendered and stored. */
export interface OutputFormatDetails {
  label: string;
  /** Remotion's codec; `null` for an image sequence (Remotion's `imageSequence`, zipped by us). */
  codec: 'h264' | 'vp9' | 'gif' | 'prores' | null;
  /** Frame format Remotion captures in: PNG keeps exact colours (GIF palette, lossless sequences), JPEG is faster. */
  imageFormat: 'jpeg' | 'png';
  /** File name extension of the output object. */
  extension: string;
  contentType: string;
  /** Plays in a browser's `<video>`; otherwise the card offers a download. */
  playable: boolean;
  /** H.264 and VP9 (4:2:0 chroma) refuse odd widths and heights. */
  needsEvenSize: boolean;
  /**
   * Relative render time of a whole job against MP4, from the benchmark's per-format rows (BENCHMARKS.md), the mean of
   * two quick runs of 2026-12-06 rounded to a tenth: MP4 27.9 / 28.2 s, WebM 30.0 / 31.4 s, GIF 40.8 / 44.7 s, ProRes
   * 44.2 / 40.6 s, PNG ZIP 35.8 / 32.9 s (one render each, so ±10 % between runs). tests/unit/outputs/estimate-vs-bench
   * holds each within 20 % of the factor in bench/results/latest.json (2026-12-07 20:19: 1.09, 1.43, 1.56, 1.34).
   */
  timeFactor: number;
  /** Why a target cannot render it; absent: both can. */
  unsupported?: Partial<Record<RenderTarget, string>>;
}

export const OUTPUT_FORMAT_DETAILS: Record<OutputFormat, OutputFormatDetails> = {
  mp4: {
    label: 'MP4 (H.264)',
    codec: 'h264',
    imageFormat: 'jpeg',
    extension: 'mp4',
    contentType: 'video/mp4',
    playable: true,
    needsEvenSize: true,
    timeFactor: 1,
  },
  webm: {
    label: 'WebM (VP9)',
    codec: 'vp9',
    imageFormat: 'jpeg',
    extension: 'webm',
    contentType: 'video/webm',
    playable: true,
    needsEvenSize: true,
    timeFactor: 1.1,
  },
  gif: {
    label: 'GIF',
    codec: 'gif',
    imageFormat: 'png',
    extension: 'gif',
    contentType: 'image/gif',
    playable: false,
    needsEvenSize: false,
    timeFactor: 1.5,
  },
  prores: {
    label: 'ProRes (MOV)',
    codec: 'prores',
    imageFormat: 'png',
    extension: 'mov',
    contentType: 'video/quicktime',
    playable: false,
    needsEvenSize: false,
    timeFactor: 1.5,
  },
  'png-zip': {
    label: 'PNG sequence (ZIP)',
    codec: null,
    imageFormat: 'png',
    extension: 'zip',
    contentType: 'application/zip',
    playable: false,
    needsEvenSize: false,
    timeFactor: 1.2,
    unsupported: {
      // renderMediaOnLambda accepts only the serverless codecs (h264, h265, vp8, vp9, mp3, aac, wav, gif, prores).
      cloud:
        'Remotion Lambda cannot render image sequences, so the cloud cannot make a PNG sequence. ' +
        'Choose ProRes for lossless frames in the cloud, or render the PNG sequence in local mode.',
    },
  },
};

/**
 * GIF limits. A GIF stores every frame as an uncompressed-palette image, so its size grows with frames × pixels:
 * 300 frames of 1280×720 are already ~50–150 MB depending on content (10 s at 30 fps), too large to share and
 * to hold in the stitcher's memory (Remotion keeps the palette frames of a GIF in memory on a 2 GB Lambda).
 * For longer or larger clips, WebM or MP4 is ~20× smaller.
 */
export const GIF_MAX_FRAMES = 300;
/** Largest GIF output, in pixels per frame (1280×720). */
export const GIF_MAX_PIXELS = 1280 * 720;

/** A render's output choice as stored on the Job. */
export const outputChoiceSchema = z.object({
  outputFormat: z.enum(OUTPUT_FORMATS, {
    error: (issue) =>
      `outputFormat must be one of ${OUTPUT_FORMATS.join(', ')}, but got ${JSON.stringify(issue.input)}`,
  }),
  scale: z.union(
    OUTPUT_SCALES.map((scale) => z.literal(scale)),
    {
      error: (issue) =>
        `scale must be one of ${OUTPUT_SCALES.join(', ')}, but got ${JSON.stringify(issue.input)}`,
    },
  ),
});
export type OutputChoice = z.infer<typeof outputChoiceSchema>;

/** What a job renders when it names no format or scale (jobs created before formats existed). */
export const DEFAULT_OUTPUT_CHOICE: OutputChoice = { outputFormat: 'mp4', scale: 1 };

/** The size and length of a composition's video. */
export interface OutputVideo {
  width: number;
  height: number;
  durationInFrames: number;
}

/** Output width and height at `scale` (Remotion rounds the same way). */
export const scaledSize = (
  { width, height }: Pick<OutputVideo, 'width' | 'height'>,
  scale: number,
): { width: number; height: number } => ({
  width: Math.round(width * scale),
  height: Math.round(height * scale),
});

/**
 * Checks a format and scale for one video on one target. `input` is what a client sent (missing fields take the
 * defaults); the result is the choice to render and the output size, or a message saying what to change.
 */
export const checkOutputChoice = (
  input: { outputFormat?: unknown; scale?: unknown },
  video: OutputVideo,
  target: RenderTarget,
):
  | { ok: true; choice: OutputChoice; output: { width: number; height: number } }
  | { ok: false; message: string } => {
  const parsed = outputChoiceSchema.safeParse({
    outputFormat: input.outputFormat ?? DEFAULT_OUTPUT_CHOICE.outputFormat,
    scale: input.scale ?? DEFAULT_OUTPUT_CHOICE.scale,
  });
  if (!parsed.success) {
    return { ok: false, message: parsed.error.issues.map((issue) => issue.message).join('; ') };
  }
  const choice = parsed.data;
  const details = OUTPUT_FORMAT_DETAILS[choice.outputFormat];
  const refusal = details.unsupported?.[target];
  if (refusal) return { ok: false, message: refusal };
  const output = scaledSize(video, choice.scale);
  const size = `${output.width}×${output.height}`;
  if (details.needsEvenSize && (output.width % 2 !== 0 || output.height % 2 !== 0)) {
    return {
      ok: false,
      message:
        `${details.label} needs an even width and height, but ${choice.scale}× of ${video.width}×${video.height} ` +
        `is ${size}. Choose another scale, or GIF or ProRes.`,
    };
  }
  if (choice.outputFormat === 'gif') {
    if (video.durationInFrames > GIF_MAX_FRAMES) {
      return {
        ok: false,
        message:
          `A GIF may have at most ${GIF_MAX_FRAMES} frames, but this video has ${video.durationInFrames}: ` +
          'GIFs that long are too large to share. Make the video shorter, or choose WebM or MP4.',
      };
    }
    if (output.width * output.height > GIF_MAX_PIXELS) {
      return {
        ok: false,
        message:
          `A GIF may be at most 1280×720 pixels a frame, but ${choice.scale}× makes it ${size}. ` +
          'Choose a smaller scale, or WebM or MP4.',
      };
    }
  }
  return { ok: true, choice, output };
};

/** Where a job's poster lands: beside its output, same name, `.poster.jpeg`. */
export const posterKeyOf = (outputKey: string): string =>
  `${outputKey.replace(/\.[A-Za-z0-9]+$/, '')}.poster.jpeg`;

const SAFE_SEGMENT = /^[A-Za-z0-9._-]+$/;

/** Where a job's finished video lands in the output bucket. */
export const outputKeyOf = (
  outputPrefix: string,
  owner: string,
  jobId: string,
  extension = 'mp4',
): string => {
  const sub = ownerSubOf(owner);
  for (const [what, value] of [
    ['owner', sub],
    ['job id', jobId],
  ] as const) {
    if (!SAFE_SEGMENT.test(value)) {
      throw new Error(
        `The ${what} must be letters, digits, ".", "_" or "-" to name an output file, but got ${JSON.stringify(value)}`,
      );
    }
  }
  return `${outputPrefix}${sub}/${jobId}.${extension}`;
};
