// Generated valid props really render: for every composition, a few fast-check cases are parsed as the worker
// parses them and drawn as one still frame with @remotion/renderer in Debian's Chromium (one browser, the cached
// bundle). Props the schema refuses stop before a frame is drawn, with the schema's readable message.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compositionCatalog, parseInputProps } from '../../remotion/catalog';
import { ensureRemotionBundle } from '../../local/render/remotion-bundle';
import { CHROMIUM_PATH, PROJECT_ROOT } from '../../local/stack';
import { arbitraryValidProps } from '../support/props-arbitraries';

type Renderer = typeof import('@remotion/renderer');
type Browser = Awaited<ReturnType<Renderer['openBrowser']>>;

/** Generated cases per composition; each is one still (about a second of Chromium on this machine). */
const CASES_PER_COMPOSITION = 2;

let renderer: Renderer;
let browser: Browser;
let serveUrl: string;
let outDir: string;

/** Width and height from a PNG's IHDR chunk. */
function readPngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'props-render-'));
  [renderer, serveUrl] = await Promise.all([
    import('@remotion/renderer'),
    ensureRemotionBundle({
      projectRoot: PROJECT_ROOT,
      cacheDir: join(PROJECT_ROOT, '.local', 'cache'),
    }),
  ]);
  browser = await renderer.openBrowser('chrome', {
    browserExecutable: CHROMIUM_PATH,
    logLevel: 'error',
  });
});

afterAll(async () => {
  await browser?.close({ silent: true });
  rmSync(outDir, { recursive: true, force: true });
});

const common = () => ({
  serveUrl,
  puppeteerInstance: browser,
  browserExecutable: CHROMIUM_PATH,
  logLevel: 'error' as const,
});

describe('generated props, rendered', () => {
  it.each(compositionCatalog.map((spec) => [spec.id, spec] as const))(
    '%s: accepted generated props render a still of the composition’s size',
    async (id, spec) => {
      const cases = fc.sample(arbitraryValidProps(spec), {
        numRuns: CASES_PER_COMPOSITION,
        seed: 27,
      });

      for (const [index, input] of cases.entries()) {
        const parsed = parseInputProps(id, JSON.parse(JSON.stringify(input)));
        if (!parsed.ok) throw new Error(`generated props were refused: ${parsed.message}`);
        const composition = await renderer.selectComposition({
          ...common(),
          id,
          inputProps: parsed.props,
        });
        const output = join(outDir, `${id}-${index}.png`);

        await renderer.renderStill({
          ...common(),
          composition,
          inputProps: parsed.props,
          frame: Math.min(spec.posterFrame, composition.durationInFrames - 1),
          output,
        });

        expect(readPngSize(output)).toEqual({ width: spec.width, height: spec.height });
      }
    },
  );

  it('stops props the schema refuses before a frame is drawn, with the readable message', async () => {
    const selected = renderer.selectComposition({
      ...common(),
      id: 'bar-chart',
      inputProps: { bars: [{ label: 'A', value: -1, color: '#000000' }] },
    });

    await expect(selected).rejects.toThrow(
      /Invalid props for "bar-chart": `bars\[0\]\.value` must be at least 0, but got -1/,
    );
  });
});
