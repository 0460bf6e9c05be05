// Bundles the Remotion site: `node bundle-site.mjs <entryPoint> <outDir>` (run by CDK asset bundling).
/* global process, console, URL */
import { readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The project's `public/` folder as a file path (never a URL's percent-encoded pathname). */
export const publicDirOf = (scriptUrl) => fileURLToPath(new URL('../../public/', scriptUrl));

/** Turns off the bundler's source maps: the site is served to Remotion's browser, never debugged. */
export const withoutSourceMaps = (config) => ({ ...config, devtool: false });

/** Deletes any `*.map` file left in `dir`, so no source map is ever published. */
export const removeSourceMaps = (dir) => {
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.map')) {
      rmSync(join(entry.parentPath ?? entry.path, entry.name));
    }
  }
};

const isMain = process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url;
if (isMain) {
  const [entryPoint, outDir] = process.argv.slice(2);
  if (!entryPoint || !outDir) {
    console.error('Usage: node bundle-site.mjs <entryPoint> <outDir>');
    process.exit(2);
  }
  const { bundle } = await import('@remotion/bundler');
  await bundle({
    entryPoint,
    outDir,
    publicDir: publicDirOf(import.meta.url),
    webpackOverride: withoutSourceMaps,
  });
  removeSourceMaps(outDir);
}
