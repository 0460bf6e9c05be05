import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build, createLogger } from 'vite';

const root = resolve(import.meta.dirname, '../..');

/**
 * Amplify Hosting's frontend phase runs `npm run build` (amplify.yml); local mode serves the studio from Vite's dev
 * server, which never bundles for production, so only this test sees what Hosting's build would refuse. A Node-only
 * package in the studio (once `@remotion/lambda/client` for the price) fails the build or ships a stub of a Node
 * module that throws in the browser.
 */
describe('the studio production build (what Amplify Hosting runs)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'studio-build-'));
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('builds, and pulls no Node built-in module into the browser', async () => {
    const externalized: string[] = [];
    const logger = createLogger('warn');
    const keepExternalized =
      (log: typeof logger.warn): typeof logger.warn =>
      (message, options) => {
        if (message.includes('externalized for browser compatibility')) externalized.push(message);
        else log(message, options);
      };
    const customLogger = {
      ...logger,
      warn: keepExternalized(logger.warn),
      warnOnce: keepExternalized(logger.warnOnce),
    };
    await build({
      root,
      configFile: resolve(root, 'vite.config.ts'),
      logLevel: 'warn',
      customLogger,
      build: { outDir, emptyOutDir: true, sourcemap: false },
    });
    expect(externalized).toEqual([]);
    expect(existsSync(join(outDir, 'index.html'))).toBe(true);
    expect(
      readdirSync(join(outDir, 'assets')).filter((name) => name.endsWith('.js')).length,
    ).toBeGreaterThan(0);
  });
});
