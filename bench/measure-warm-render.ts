import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRemotionBundle } from '../local/render/remotion-bundle';
import { createRemotionRenderFunction } from '../local/render/remotion-renderer';
import { CHROMIUM_PATH } from '../local/stack';
import type { ReferenceRender } from './measure-cli-render';

/** A warm in-process renderer: the same render function the local pipeline calls, without the pipeline. */
export interface WarmRenderTimer {
  /** Renders the reference (or `render`) once as MP4 and answers the wall time in ms (the render must write a non-empty file). */
  timeRender(options?: { render?: ReferenceRender }): Promise<number>;
  close(): Promise<void>;
}

/**
 * Opens the reference for `render_overhead_seconds`: the Remotion bundle the stack uses (same cache) and a browser
 * of its own, both made before anything is timed, so each timed run is `selectComposition` + `renderMedia` + the poster's `renderStill` only —
 * exactly the work the local renderer does inside a pipeline job, and nothing of the pipeline around it.
 */
export async function openWarmRenderTimer(
  projectRoot: string,
  render: ReferenceRender,
): Promise<WarmRenderTimer> {
  const serveUrl = ensureRemotionBundle({
    projectRoot,
    cacheDir: join(projectRoot, '.local', 'cache'),
  });
  const renderer = createRemotionRenderFunction({ serveUrl, browserExecutable: CHROMIUM_PATH });
  const workDir = mkdtempSync(join(tmpdir(), 'bench-warm-'));
  let run = 0;
  const timeRender = async ({ render: what = render }: { render?: ReferenceRender } = {}) => {
    run += 1;
    const outputFile = join(workDir, `warm-${run}.mp4`);
    const started = performance.now();
    await renderer.render({
      request: {
        jobId: `bench-warm-${run}`,
        owner: 'bench',
        compositionId: what.compositionId,
        inputProps: what.inputProps,
      },
      outputFile,
      // The pipeline's renders make a poster too, so the reference does the same work.
      posterFile: join(workDir, `warm-${run}.poster.jpeg`),
      onProgress: () => {},
      onCancel: () => {},
    });
    const elapsed = Math.round(performance.now() - started);
    if ((statSync(outputFile, { throwIfNoEntry: false })?.size ?? 0) === 0)
      throw new Error(`the warm in-process render wrote no video to ${outputFile}`);
    rmSync(outputFile, { force: true });
    rmSync(join(workDir, `warm-${run}.poster.jpeg`), { force: true });
    return elapsed;
  };
  return {
    timeRender,
    async close() {
      await renderer.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
