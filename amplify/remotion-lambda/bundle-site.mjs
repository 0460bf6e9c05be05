// Bundles the Remotion site: `node bundle-site.mjs <entryPoint> <outDir>` (run by CDK asset bundling).
/* global process, console, URL */
import { bundle } from '@remotion/bundler';

const [entryPoint, outDir] = process.argv.slice(2);
if (!entryPoint || !outDir) {
  console.error('Usage: node bundle-site.mjs <entryPoint> <outDir>');
  process.exit(2);
}
await bundle({ entryPoint, outDir, publicDir: new URL('../../public', import.meta.url).pathname });
console.error(`Remotion site bundled into ${outDir}`);
