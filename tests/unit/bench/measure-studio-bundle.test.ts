import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  listInitialScripts,
  measureInitialScripts,
  resolveBuiltFile,
} from '../../../bench/measure-studio-bundle';

const VITE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <script type="module" crossorigin src="/assets/index-AbC123.js"></script>
    <link rel="modulepreload" crossorigin href="/assets/vendor-XyZ.js">
    <link rel="stylesheet" crossorigin href="/assets/index-Q1.css">
    <script src="/legacy-not-a-module.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>`;

describe('listInitialScripts', () => {
  it('lists module entry scripts and modulepreload chunks, not stylesheets or classic scripts', () => {
    expect(listInitialScripts(VITE_HTML)).toEqual([
      '/assets/index-AbC123.js',
      '/assets/vendor-XyZ.js',
    ]);
  });

  it('reads attributes in any order and with single quotes', () => {
    expect(listInitialScripts(`<script src='./a.js' type='module'></script>`)).toEqual(['./a.js']);
  });
});

describe('resolveBuiltFile', () => {
  it('maps absolute and relative URLs into the build folder, dropping query strings', () => {
    expect(resolveBuiltFile('/out', '/assets/a.js?v=1')).toBe('/out/assets/a.js');
    expect(resolveBuiltFile('/out', './assets/a.js')).toBe('/out/assets/a.js');
  });

  it('refuses a script from another origin', () => {
    expect(() => resolveBuiltFile('/out', 'https://cdn.example.com/a.js')).toThrow(
      /served from the build/,
    );
  });
});

describe('measureInitialScripts', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('sums the gzipped sizes of the initial scripts only', () => {
    dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
    mkdirSync(join(dir, 'assets'));
    const entry = 'console.log("entry");'.repeat(200);
    const vendor = 'export const v = [1,2,3];'.repeat(500);
    writeFileSync(join(dir, 'index.html'), VITE_HTML);
    writeFileSync(join(dir, 'assets', 'index-AbC123.js'), entry);
    writeFileSync(join(dir, 'assets', 'vendor-XyZ.js'), vendor);
    writeFileSync(join(dir, 'assets', 'lazy-chunk.js'), 'x'.repeat(100_000));
    const measured = measureInitialScripts(dir);
    expect(measured.files).toHaveLength(2);
    expect(measured.gzipBytes).toBe(gzipSync(entry).length + gzipSync(vendor).length);
  });

  it('fails with a clear message when index.html references no module script', () => {
    dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
    writeFileSync(join(dir, 'index.html'), '<html></html>');
    expect(() => measureInitialScripts(dir!)).toThrow(/references none/);
  });
});
