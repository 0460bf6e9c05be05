import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { HeadlessBrowser } from '@remotion/renderer';
import { zipSync } from 'fflate';
import { findCompositionSpec } from '../../remotion/catalog';
import { RetryableRenderError } from '../../amplify/functions/render-worker/failure-classes';
import type {
  RenderProgress,
  RenderRequest,
  Renderer,
} from '../../amplify/functions/render-worker/ports';
import { outputKeyOf } from '../../amplify/functions/render-worker/remotion-lambda-renderer';
import type { LocalRenderEnded } from '../remotion-webhook/notify-render-ended';
import {
  DEFAULT_OUTPUT_CHOICE,
  OUTPUT_FORMAT_DETAILS,
  posterKeyOf,
} from '../../contract/output-formats';

/** Where local videos go, in the shape of the cloud's output bucket. */
export const LOCAL_OUTPUT_BUCKET = 'local-outputs';
export const LOCAL_OUTPUT_PREFIX = 'renders/';

/** A renderer that runs in this process and must be closed with it. */
export interface LocalRenderer extends Renderer {
  /** Stops the renders in progress without recording them as failed (the next start re-runs them). */
  close(): Promise<void>;
}

/** What is kept on disk per render id, so a render survives a restart of the process. */
interface RenderRecord {
  request: RenderRequest;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  outputKey: string;
  /** Set once the poster is in place. */
  posterKey?: string;
  sizeBytes?: number;
  totalFrames?: number;
  /** The render function's own wall time, ms, set when done: the bench tells the pipeline's time around it apart. */
  renderMs?: number;
  message?: string;
}

/** How a render runs: the Remotion one, or a stub for benchmarks and tests. */
export type RenderFunction = (job: {
  request: RenderRequest;
  outputFile: string;
  /** Where the poster goes (a JPEG of the composition's poster frame); a render function may leave it absent. */
  posterFile: string;
  onProgress: (progress: number, renderedFrames: number, totalFrames: number) => void;
  /** Register what stops this render. */
  onCancel: (cancel: () => void) => void;
}) => Promise<{ totalFrames: number }>;

/**
 * The local renderer over any {@link RenderFunction}: renders to a temporary file renamed into
 * `<outputsDir>/renders/<owner-sub>/<jobId>.mp4` when done, so a job has at most one output. Render
 * records live in `stateDir`; a render interrupted by a stop is run again (same render id) when the
 * worker next asks for its progress. Cancelling deletes any partial or complete file. Cost is 0.
 */
export function createLocalRenderer(options: {
  outputsDir: string;
  stateDir: string;
  render: RenderFunction;
  onClose?: () => Promise<void>;
  log?: (line: string) => void;
  /** Told when a render is over (done or failed), after its record says so: Remotion's webhook, locally. */
  onRenderEnded?: (ended: LocalRenderEnded) => Promise<void>;
}): LocalRenderer {
  const log = options.log ?? (() => {});
  mkdirSync(options.stateDir, { recursive: true });
  const recordFile = (renderId: string) => join(options.stateDir, `${renderId}.json`);
  const outputFile = (key: string) => join(options.outputsDir, key);
  const save = (renderId: string, record: RenderRecord) => {
    writeFileSync(`${recordFile(renderId)}.tmp`, JSON.stringify(record));
    renameSync(`${recordFile(renderId)}.tmp`, recordFile(renderId));
  };
  const load = (renderId: string): RenderRecord | undefined => {
    if (!/^[A-Za-z0-9-]+$/.test(renderId) || !existsSync(recordFile(renderId))) return undefined;
    return JSON.parse(readFileSync(recordFile(renderId), 'utf8')) as RenderRecord;
  };

  interface Active {
    record: RenderRecord;
    progress: { progress: number; renderedFrames: number; totalFrames: number };
    cancel?: () => void;
    cancelled: boolean;
    finished: Promise<void>;
  }
  const active = new Map<string, Active>();
  let closing = false;

  const run = (renderId: string, record: RenderRecord) => {
    const final = outputFile(record.outputKey);
    const finalPoster = outputFile(posterKeyOf(record.outputKey));
    const extension =
      OUTPUT_FORMAT_DETAILS[(record.request.output ?? DEFAULT_OUTPUT_CHOICE).outputFormat]
        .extension;
    const partial = join(dirname(final), `.${renderId}.part.${extension}`);
    const partialPoster = join(dirname(final), `.${renderId}.part.poster.jpeg`);
    mkdirSync(dirname(final), { recursive: true });
    const entry: Active = {
      record,
      progress: { progress: 0, renderedFrames: 0, totalFrames: 0 },
      cancelled: false,
      finished: Promise.resolve(),
    };
    const startedAtMs = Date.now();
    const renderStarted = performance.now();
    let ended: LocalRenderEnded | undefined;
    entry.finished = options
      .render({
        request: record.request,
        outputFile: partial,
        posterFile: partialPoster,
        onProgress: (progress, renderedFrames, totalFrames) => {
          entry.progress = { progress, renderedFrames, totalFrames };
        },
        onCancel: (cancel) => {
          entry.cancel = cancel;
          if (entry.cancelled) cancel();
        },
      })
      .then(({ totalFrames }) => {
        const renderMs = Math.round(performance.now() - renderStarted);
        if (entry.cancelled) throw new Error('cancelled');
        renameSync(partial, final);
        const poster = existsSync(partialPoster);
        if (poster) renameSync(partialPoster, finalPoster);
        save(renderId, {
          ...record,
          ...(poster ? { posterKey: posterKeyOf(record.outputKey) } : {}),
          state: 'done',
          totalFrames,
          sizeBytes: statSync(final).size,
          renderMs,
        });
        const { jobId } = record.request;
        ended = { state: 'done', renderId, jobId, outputKey: record.outputKey, startedAtMs };
      })
      .catch((error: unknown) => {
        rmSync(partial, { force: true });
        rmSync(partialPoster, { force: true });
        if (entry.cancelled) {
          // A cancel during encoding may still have produced a complete file: never keep it.
          rmSync(final, { force: true });
          rmSync(finalPoster, { force: true });
          save(renderId, { ...record, state: 'cancelled' });
        } else if (closing) {
          log(
            `renderer: render ${renderId} interrupted by the stop; it runs again after the next start`,
          );
        } else {
          const message = error instanceof Error ? error.message : String(error);
          log(`renderer: render ${renderId} failed: ${message}`);
          save(renderId, { ...record, state: 'failed', message });
          ended = { state: 'failed', renderId, jobId: record.request.jobId, message };
        }
      })
      .finally(() => active.delete(renderId))
      // Once the render is no longer active, so a progress read answers what the record says.
      .then(() => {
        if (!ended || !options.onRenderEnded) return;
        options.onRenderEnded(ended).catch((error: unknown) => {
          log(
            `renderer: webhook for render ${renderId} failed (the worker's poll will notice): ${error instanceof Error ? error.message : String(error)}`,
          );
        });
      });
    active.set(renderId, entry);
  };

  return {
    target: 'local',
    async start(request) {
      if (closing)
        throw new RetryableRenderError(
          'The local renderer is stopping; retry after the next start.',
        );
      const renderId = randomUUID();
      const record: RenderRecord = {
        request,
        state: 'running',
        outputKey: outputKeyOf(
          LOCAL_OUTPUT_PREFIX,
          request.owner,
          request.jobId,
          OUTPUT_FORMAT_DETAILS[(request.output ?? DEFAULT_OUTPUT_CHOICE).outputFormat].extension,
        ),
      };
      save(renderId, record);
      run(renderId, record);
      return { renderId };
    },
    async getProgress(renderId): Promise<RenderProgress> {
      const running = active.get(renderId);
      if (running) return { state: 'running', ...running.progress, costUsd: 0 };
      const record = load(renderId);
      if (!record)
        return {
          state: 'failed',
          message: `No local render with id ${renderId}.`,
          retryable: false,
          costUsd: 0,
        };
      switch (record.state) {
        case 'done':
          return {
            state: 'done',
            output: {
              bucket: LOCAL_OUTPUT_BUCKET,
              key: record.outputKey,
              sizeBytes: record.sizeBytes ?? 0,
              ...(record.posterKey ? { posterKey: record.posterKey } : {}),
            },
            renderedFrames: record.totalFrames ?? 0,
            totalFrames: record.totalFrames ?? 0,
            costUsd: 0,
          };
        case 'failed':
          return {
            state: 'failed',
            message: record.message ?? 'The render failed.',
            retryable: false,
            costUsd: 0,
          };
        case 'cancelled':
          return {
            state: 'failed',
            message: 'The render was cancelled.',
            retryable: false,
            costUsd: 0,
          };
        case 'running':
          // Interrupted by a stop of the process: run it again under the same id.
          if (closing) throw new RetryableRenderError('The local renderer is stopping.');
          log(
            `renderer: re-running render ${renderId} (job ${record.request.jobId}) interrupted by a stop`,
          );
          run(renderId, record);
          return { state: 'running', progress: 0, renderedFrames: 0, totalFrames: 0, costUsd: 0 };
      }
    },
    async cancel(renderId) {
      const running = active.get(renderId);
      if (running) {
        running.cancelled = true;
        running.cancel?.();
        await running.finished;
        return;
      }
      const record = load(renderId);
      if (record && record.state !== 'cancelled') {
        rmSync(outputFile(record.outputKey), { force: true });
        rmSync(outputFile(posterKeyOf(record.outputKey)), { force: true });
        save(renderId, { ...record, state: 'cancelled' });
      }
    },
    async close() {
      closing = true;
      const pending = [...active.values()];
      for (const entry of pending) entry.cancel?.();
      await Promise.all(pending.map((entry) => entry.finished));
      await options.onClose?.();
    },
  };
}

// No free-form flags here: Remotion already passes `--no-sandbox` and `--disable-background-networking`.
const CHROMIUM_OPTIONS = {};

/**
 * Renders with `@remotion/renderer` in Debian's Chromium: the bundle (`serveUrl`) is built once and the
 * browser is opened once and shared by every render; each render picks its composition, then renders the job's
 * format at its scale (`renderMedia`, or `renderFrames` zipped for a PNG sequence) and its poster (`renderStill`).
 */
export function createRemotionRenderFunction(options: {
  serveUrl: Promise<string>;
  browserExecutable: string;
  /** Only these frames (inclusive): tests render a few frames of each format. Absent: the whole video. */
  frameRange?: [number, number];
  log?: (line: string) => void;
}): { render: RenderFunction; browser: Promise<HeadlessBrowser>; close(): Promise<void> } {
  const renderer = import('@remotion/renderer');
  const browser = renderer.then(({ openBrowser }) =>
    openBrowser('chrome', {
      browserExecutable: options.browserExecutable,
      chromiumOptions: CHROMIUM_OPTIONS,
      logLevel: 'error',
    }),
  );
  // Surfaced by the first render; a failed warm-up must not be an unhandled rejection.
  browser.catch(() => undefined);
  const render: RenderFunction = async ({
    request,
    outputFile,
    posterFile,
    onProgress,
    onCancel,
  }) => {
    const { selectComposition, renderMedia, renderFrames, renderStill, makeCancelSignal } =
      await renderer;
    const [serveUrl, puppeteerInstance] = await Promise.all([options.serveUrl, browser]);
    const { cancelSignal, cancel } = makeCancelSignal();
    let cancelled = false;
    onCancel(() => {
      cancelled = true;
      cancel();
    });
    const choice = request.output ?? DEFAULT_OUTPUT_CHOICE;
    const format = OUTPUT_FORMAT_DETAILS[choice.outputFormat];
    const common = {
      serveUrl,
      inputProps: request.inputProps,
      puppeteerInstance,
      browserExecutable: options.browserExecutable,
      chromiumOptions: CHROMIUM_OPTIONS,
      logLevel: 'error' as const,
    };
    const composition = await selectComposition({ ...common, id: request.compositionId });
    const range = options.frameRange;
    const totalFrames = range ? range[1] - range[0] + 1 : composition.durationInFrames;
    const shared = {
      ...common,
      composition,
      scale: choice.scale,
      concurrency: 1,
      cancelSignal,
      ...(range ? { frameRange: range } : {}),
    };
    const renderOutput = async () => {
      if (format.codec) {
        await renderMedia({
          ...shared,
          codec: format.codec,
          imageFormat: format.imageFormat,
          outputLocation: outputFile,
          overwrite: true,
          onProgress: ({ progress, renderedFrames }) =>
            onProgress(progress, renderedFrames, totalFrames),
        });
      } else {
        // A PNG sequence: the frames into a scratch folder, then one ZIP (stored: PNGs are compressed already).
        const framesDir = `${outputFile}.frames`;
        mkdirSync(framesDir, { recursive: true });
        try {
          await renderFrames({
            ...shared,
            imageFormat: 'png',
            outputDir: framesDir,
            onStart: () => undefined,
            onFrameUpdate: (rendered) => onProgress(rendered / totalFrames, rendered, totalFrames),
          });
          const files = Object.fromEntries(
            readdirSync(framesDir)
              .sort()
              .map((name) => [name, readFileSync(join(framesDir, name))] as const),
          );
          writeFileSync(outputFile, zipSync(files, { level: 0 }));
        } finally {
          rmSync(framesDir, { recursive: true, force: true });
        }
      }
    };
    await renderOutput();
    // The poster: the composition's poster frame with this job's props, at the output's scale. After the video, not
    // beside it: two page loads at once on a busy machine can exceed Remotion's root-component timeout. As in the
    // cloud, a poster that fails leaves the job without one, never failed.
    const spec = findCompositionSpec(request.compositionId);
    await renderStill({
      ...common,
      composition,
      output: posterFile,
      frame: Math.min(spec?.posterFrame ?? 0, composition.durationInFrames - 1),
      imageFormat: 'jpeg',
      scale: choice.scale,
      overwrite: true,
      cancelSignal,
    }).catch((error: unknown) => {
      if (cancelled) throw error;
      rmSync(posterFile, { force: true });
      options.log?.(`renderer: poster of job ${request.jobId} failed: ${String(error)}`);
    });
    return { totalFrames };
  };
  return {
    render,
    browser,
    async close() {
      const opened = await browser.catch(() => undefined);
      await opened?.close({ silent: true });
    },
  };
}

/** A renderer that waits a random time in `[minMs, maxMs]` and writes a tiny file: for benchmarks. */
export function createStubRenderFunction(rangeMs: [number, number]): RenderFunction {
  return async ({ outputFile, onProgress, onCancel }) => {
    const totalFrames = 150;
    const durationMs = rangeMs[0] + Math.random() * (rangeMs[1] - rangeMs[0]);
    let cancelled = false;
    onCancel(() => {
      cancelled = true;
    });
    const startedAt = Date.now();
    while (Date.now() - startedAt < durationMs) {
      if (cancelled) throw new Error('The stub render was cancelled.');
      const progress = Math.min(1, (Date.now() - startedAt) / durationMs);
      onProgress(progress, Math.floor(progress * totalFrames), totalFrames);
      await new Promise((done) => setTimeout(done, Math.min(100, durationMs)));
    }
    if (cancelled) throw new Error('The stub render was cancelled.');
    writeFileSync(outputFile, 'stub render\n');
    return { totalFrames };
  };
}
