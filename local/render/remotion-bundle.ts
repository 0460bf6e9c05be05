import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Hashes every file under `dirs` (paths and contents), so the bundle is rebuilt only when a source changes. */
export function hashSources(root: string, dirs: string[], extra: string[] = []): string {
  const hash = createHash('sha256');
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
      return;
    }
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const dir of dirs) visit(join(root, dir));
  for (const text of extra) hash.update(text);
  return hash.digest('hex').slice(0, 16);
}

/** Bundles being built by this process, by folder: a second caller waits for the first instead of racing it. */
const building = new Map<string, Promise<string>>();

/**
 * Bundles `remotion/index.ts` with `@remotion/bundler` into `<cacheDir>/remotion-bundle-<hash>`, or reuses
 * that folder when it exists. Built into a temporary folder and renamed, so a crash never leaves half a bundle.
 */
export async function ensureRemotionBundle(options: {
  projectRoot: string;
  cacheDir: string;
  log?: (line: string) => void;
}): Promise<string> {
  const { projectRoot, cacheDir } = options;
  const remotionVersion = (
    JSON.parse(readFileSync(join(projectRoot, 'node_modules/remotion/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
  const hash = hashSources(projectRoot, ['remotion', 'public'], [remotionVersion]);
  const outDir = join(cacheDir, `remotion-bundle-${hash}`);
  if (existsSync(join(outDir, 'index.html'))) return outDir;
  const inFlight = building.get(outDir);
  if (inFlight) return inFlight;
  const built = (async () => {
    const startedAt = Date.now();
    const { bundle } = await import('@remotion/bundler');
    // Unique per call: another process (or an earlier crash) may hold a folder of the same bundle.
    const tmpDir = `${outDir}.tmp-${process.pid}-${randomUUID()}`;
    await bundle({
      entryPoint: join(projectRoot, 'remotion/index.ts'),
      outDir: tmpDir,
      publicDir: join(projectRoot, 'public'),
    });
    try {
      renameSync(tmpDir, outDir);
    } catch (error) {
      // Another process finished the same bundle first: use its folder.
      if (!existsSync(join(outDir, 'index.html'))) throw error;
      rmSync(tmpDir, { recursive: true, force: true });
    }
    options.log?.(`renderer: Remotion bundle built in ${Date.now() - startedAt} ms (${outDir})`);
    return outDir;
  })();
  building.set(outDir, built);
  try {
    return await built;
  } finally {
    building.delete(outDir);
  }
}
