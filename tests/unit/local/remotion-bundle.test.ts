import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// A stand-in bundler that takes a while and writes its folder, as @remotion/bundler does.
const bundleCalls: string[] = [];
vi.mock('@remotion/bundler', () => ({
  bundle: async ({ outDir }: { outDir: string }) => {
    bundleCalls.push(outDir);
    mkdirSync(outDir, { recursive: true });
    await new Promise((done) => setTimeout(done, 50));
    writeFileSync(join(outDir, 'bundle.js'), '// bundle');
    writeFileSync(join(outDir, 'index.html'), '<html></html>');
    return outDir;
  },
}));

const { ensureRemotionBundle } = await import('../../../local/render/remotion-bundle');
const PROJECT_ROOT = join(import.meta.dirname, '../../..');

let cacheDir: string | undefined;
afterEach(() => {
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  bundleCalls.length = 0;
});

describe('ensureRemotionBundle', () => {
  it('builds once when two callers in one process ask at the same time, and leaves no temporary folder', async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'bundle-cache-'));
    const [first, second] = await Promise.all([
      ensureRemotionBundle({ projectRoot: PROJECT_ROOT, cacheDir }),
      ensureRemotionBundle({ projectRoot: PROJECT_ROOT, cacheDir }),
    ]);
    expect(second).toBe(first);
    expect(bundleCalls).toHaveLength(1);
    expect(readdirSync(cacheDir)).toEqual([first.split('/').at(-1)]);
    expect(readdirSync(first).sort()).toEqual(['bundle.js', 'index.html']);
  });

  it('uses the folder another process finished first and removes its own', async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'bundle-cache-'));
    const outDir = await ensureRemotionBundle({ projectRoot: PROJECT_ROOT, cacheDir });
    rmSync(outDir, { recursive: true });
    // The other process: its folder appears while this one bundles.
    const racing = ensureRemotionBundle({ projectRoot: PROJECT_ROOT, cacheDir });
    mkdirSync(outDir);
    writeFileSync(join(outDir, 'index.html'), '<html>other</html>');
    expect(await racing).toBe(outDir);
    expect(readdirSync(cacheDir)).toEqual([outDir.split('/').at(-1)]);
  });
});
