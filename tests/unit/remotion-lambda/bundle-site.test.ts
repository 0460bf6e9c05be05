import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script (run by CDK asset bundling) without type declarations
import * as bundleSite from '../../../amplify/remotion-lambda/bundle-site.mjs';

const { publicDirOf, removeSourceMaps, withoutSourceMaps } = bundleSite as {
  publicDirOf: (scriptUrl: string) => string;
  removeSourceMaps: (dir: string) => void;
  withoutSourceMaps: (config: Record<string, unknown>) => Record<string, unknown>;
};

describe('bundle-site.mjs', () => {
  it('finds public/ as a file path when the project path has a space in it', () => {
    const scriptUrl =
      'file:///home/me/My%20Projects/studio/amplify/remotion-lambda/bundle-site.mjs';
    expect(publicDirOf(scriptUrl)).toBe('/home/me/My Projects/studio/public/');
  });

  it("turns off the bundler's source maps", () => {
    expect(withoutSourceMaps({ devtool: 'cheap-module-source-map', mode: 'production' })).toEqual({
      devtool: false,
      mode: 'production',
    });
  });

  it('removes every *.map file from the output, at any depth, and keeps the rest', () => {
    const out = mkdtempSync(join(tmpdir(), 'site out '));
    mkdirSync(join(out, 'assets'));
    for (const file of ['bundle.js', 'bundle.js.map', 'assets/chunk.js.map', 'index.html']) {
      writeFileSync(join(out, file), 'x');
    }
    removeSourceMaps(out);
    expect(existsSync(join(out, 'bundle.js.map'))).toBe(false);
    expect(existsSync(join(out, 'assets/chunk.js.map'))).toBe(false);
    expect(existsSync(join(out, 'bundle.js'))).toBe(true);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  });
});
