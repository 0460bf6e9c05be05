import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RenderProgress, Renderer } from '../../../amplify/functions/render-worker/ports';
import {
  createLocalRenderer,
  createStubRenderFunction,
  type RenderFunction,
} from '../../../local/render/remotion-renderer';

const REQUEST = {
  jobId: 'job-1',
  owner: 'sub-1::alice',
  compositionId: 'title-card',
  inputProps: { title: 'Hi' },
};
const OUTPUT = 'renders/sub-1/job-1.mp4';

/** A render that runs until released (or cancelled), counting its runs. */
function createControlledRender() {
  const runs: { release: () => void }[] = [];
  const render: RenderFunction = ({ outputFile, onProgress, onCancel }) =>
    new Promise((done, fail) => {
      onProgress(0.5, 75, 150);
      onCancel(() => {
        writeFileSync(outputFile, 'half');
        fail(new Error('cancelled'));
      });
      runs.push({
        release: () => {
          writeFileSync(outputFile, `video from run ${runs.length}`);
          done({ totalFrames: 150 });
        },
      });
    });
  return { render, runs };
}

const waitForState = async (
  renderer: Renderer,
  renderId: string,
  state: RenderProgress['state'],
) => {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const progress = await renderer.getProgress(renderId);
    if (progress.state === state) return progress;
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error(`render ${renderId} never reached ${state}`);
};

describe('local renderer', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'renderer-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const options = (render: RenderFunction) => ({
    outputsDir: join(dir, 'outputs'),
    stateDir: join(dir, 'renders'),
    render,
  });

  it('reports progress, then the output under renders/<sub>/<jobId>.mp4 at cost 0', async () => {
    const { render, runs } = createControlledRender();
    const renderer = createLocalRenderer(options(render));
    const { renderId } = await renderer.start(REQUEST);
    expect(await renderer.getProgress(renderId)).toEqual({
      state: 'running',
      progress: 0.5,
      renderedFrames: 75,
      totalFrames: 150,
      costUsd: 0,
    });
    runs[0]!.release();
    const done = await waitForState(renderer, renderId, 'done');
    expect(done).toMatchObject({
      output: { bucket: 'local-outputs', key: OUTPUT, sizeBytes: 'video from run 1'.length },
      totalFrames: 150,
      costUsd: 0,
    });
    expect(readFileSync(join(dir, 'outputs', OUTPUT), 'utf8')).toBe('video from run 1');
  });

  it("records the render function's own time in the done record (what the bench tells the pipeline's time from)", async () => {
    const { render, runs } = createControlledRender();
    const renderer = createLocalRenderer(options(render));
    const { renderId } = await renderer.start(REQUEST);
    const heldFor = 120;
    await new Promise((done) => setTimeout(done, heldFor));
    runs[0]!.release();
    await waitForState(renderer, renderId, 'done');
    const record = JSON.parse(readFileSync(join(dir, 'renders', `${renderId}.json`), 'utf8')) as {
      renderMs?: unknown;
    };
    expect(record.renderMs).toBeTypeOf('number');
    // The render was held open for heldFor ms before it finished; timers may fire a millisecond early.
    expect(record.renderMs as number).toBeGreaterThanOrEqual(heldFor - 5);
    expect(record.renderMs as number).toBeLessThan(heldFor + 2_000);
  });

  it('cancel deletes the partial file and leaves no output', async () => {
    const { render } = createControlledRender();
    const renderer = createLocalRenderer(options(render));
    const { renderId } = await renderer.start(REQUEST);
    await renderer.cancel(renderId);
    expect(await renderer.getProgress(renderId)).toMatchObject({
      state: 'failed',
      retryable: false,
    });
    expect(readdirSync(join(dir, 'outputs/renders/sub-1'))).toEqual([]);
  });

  it('re-runs a render interrupted by a stop under the same id, ending in exactly one output', async () => {
    const first = createControlledRender();
    const before = createLocalRenderer(options(first.render));
    const { renderId } = await before.start(REQUEST);
    await before.close();
    // Interrupted, not failed: a stopping renderer refuses to say more.
    await expect(before.getProgress(renderId)).rejects.toThrow(/stopping/);

    const second = createControlledRender();
    const after = createLocalRenderer(options(second.render));
    expect(await after.getProgress(renderId)).toMatchObject({ state: 'running' });
    expect(second.runs).toHaveLength(1);
    second.runs[0]!.release();
    await waitForState(after, renderId, 'done');
    expect(readdirSync(join(dir, 'outputs/renders/sub-1'))).toEqual(['job-1.mp4']);
  });

  it('an unknown render id is a permanent failure', async () => {
    const renderer = createLocalRenderer(options(createStubRenderFunction([1, 2])));
    expect(await renderer.getProgress('nope')).toMatchObject({ state: 'failed', retryable: false });
  });

  it('the stub render writes a small file after a delay in its range', async () => {
    const renderer = createLocalRenderer(options(createStubRenderFunction([30, 60])));
    const startedAt = Date.now();
    const { renderId } = await renderer.start(REQUEST);
    await waitForState(renderer, renderId, 'done');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(30);
    expect(existsSync(join(dir, 'outputs', OUTPUT))).toBe(true);
  });
});
