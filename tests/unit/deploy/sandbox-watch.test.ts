import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { remotionSiteInputFiles } from '../../../amplify/remotion-lambda/remotion-site-inputs';

const root = join(import.meta.dirname, '../../..');

/** Project files (not packages) an entry imports, at any depth. */
const importsOf = (entry: string): string[] =>
  Object.keys(
    buildSync({
      entryPoints: [join(root, entry)],
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      outdir: join(root, '.watch-scan'),
      packages: 'external',
      platform: 'node',
      format: 'esm',
      logLevel: 'silent',
      loader: { '.mjs': 'js' },
    }).metafile.inputs,
  ).map((input) => resolve(root, input));

/** `--dir-to-watch` and `--exclude` of the `sandbox` npm script. */
const sandboxWatch = () => {
  const script = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts.sandbox!;
  const words = script.split(/\s+/);
  expect(words.slice(0, 2)).toEqual(['ampx', 'sandbox']);
  const dir = words[words.indexOf('--dir-to-watch') + 1]!;
  const excludeAt = words.indexOf('--exclude');
  const excludes =
    excludeAt < 0 ? [] : words.slice(excludeAt + 1).filter((w) => !w.startsWith('-'));
  return { dir: resolve(root, dir), excludes: excludes.map((path) => resolve(root, path)) };
};

const isWithin = (file: string, dir: string) => file === dir || file.startsWith(dir + sep);

describe('`npm run sandbox` redeploys on every change the backend is built from', () => {
  const inputs = [
    ...importsOf('amplify/backend.ts'),
    ...readdirSync(join(root, 'amplify/functions'))
      .map((fn) => `amplify/functions/${fn}/handler.ts`)
      .filter((handler) => existsSync(join(root, handler)))
      .flatMap(importsOf),
    ...remotionSiteInputFiles(root, join(root, 'amplify/remotion-lambda/bundle-site.mjs')),
  ];

  it('finds inputs outside amplify/ (so watching amplify/ alone would miss them)', () => {
    const outside = inputs.filter((file) => !isWithin(file, join(root, 'amplify')));
    expect(outside.map((file) => relative(root, file))).toEqual(
      expect.arrayContaining([
        'remotion/index.ts',
        'contract/job-contract.ts',
        'package-lock.json',
      ]),
    );
  });

  it('watches every one of them and excludes none', () => {
    const { dir, excludes } = sandboxWatch();
    const unwatched = [...new Set(inputs)]
      .filter((file) => !isWithin(file, dir) || excludes.some((ex) => isWithin(file, ex)))
      .map((file) => relative(root, file));
    expect(unwatched).toEqual([]);
  });
});
