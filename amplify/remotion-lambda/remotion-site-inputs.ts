import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { buildSync } from 'esbuild';

/** Files that only Remotion's bundler loads (as assets), by extension, so the import scan can read past them. */
const ASSET_LOADERS = Object.fromEntries(
  [
    '.png',
    '.jpg',
    '.jpeg',
    '.gif',
    '.webp',
    '.svg',
    '.mp3',
    '.mp4',
    '.wav',
    '.woff',
    '.woff2',
    '.ttf',
  ].map((ext) => [ext, 'file' as const]),
);

const filesUnder = (dir: string): string[] => {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
};

/** Project files (not packages) that `remotion/index.ts` imports, at any depth, wherever they live. */
const importedProjectFiles = (root: string): string[] => {
  const result = buildSync({
    entryPoints: [join(root, 'remotion', 'index.ts')],
    absWorkingDir: root,
    bundle: true,
    write: false,
    metafile: true,
    outdir: join(root, '.site-input-scan'),
    packages: 'external',
    platform: 'browser',
    jsx: 'automatic',
    loader: ASSET_LOADERS,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).map((input) => resolve(root, input));
};

/**
 * Every input of the Remotion site's bundle: the compositions and whatever they import from
 * elsewhere in the project, `public/` (staticFile assets), the locked dependency versions and the
 * bundling script. A change to any of them must change the site's asset hash, or neither the
 * sandbox nor Hosting uploads it.
 */
export const remotionSiteInputFiles = (root: string, bundleScript: string): string[] =>
  [
    ...new Set([
      ...importedProjectFiles(root),
      ...filesUnder(join(root, 'remotion')),
      ...filesUnder(join(root, 'public')),
      join(root, 'package-lock.json'),
      resolve(bundleScript),
    ]),
  ].sort();

/** The site's asset hash: every input's path (relative to `root`) and content. */
export const remotionSiteHash = (root: string, bundleScript: string): string => {
  const hash = createHash('sha256');
  for (const file of remotionSiteInputFiles(root, bundleScript)) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
};
