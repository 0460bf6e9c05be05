import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { TransformedApi, TransformEnvironment } from './transform-data-schema';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Transforms shared by every data dir of this worktree, one file per input hash (git-ignored, like all of .local/). */
const SHARED_CACHE_DIR = join(REPO_ROOT, '.local', 'transform-cache');

/** What local mode needs from `amplify/data/resource.ts`, transformed. */
export interface LoadedApi {
  api: TransformedApi;
  modelIntrospection: Record<string, unknown>;
}

const cacheSchema = z.object({
  key: z.string(),
  api: z.custom<TransformedApi>(
    (value) => typeof value === 'object' && value !== null && 'resolvers' in value,
  ),
  modelIntrospection: z.record(z.string(), z.unknown()),
});

/**
 * Transforms the data schema of `amplify/data/resource.ts` with Amplify's transformer, or reuses the result cached in
 * `cacheFile` or in `sharedCacheDir` when nothing it depends on changed (every file under `amplify/`, the lockfile,
 * the environment).
 * Importing the backend and transformer costs seconds of start-up; a cache hit skips both.
 */
export async function loadTransformedApi(
  cacheFile: string,
  environment: TransformEnvironment,
  sharedCacheDir: string = SHARED_CACHE_DIR,
): Promise<LoadedApi> {
  const key = hashInputs(environment);
  // A fresh data dir (every test file, every bench stack) finds the transform in the worktree's shared cache.
  const sharedFile = join(sharedCacheDir, `${key}.json`);
  for (const file of [cacheFile, sharedFile]) {
    const cached = readCache(file, key);
    if (!cached) continue;
    if (file === sharedFile) copyFileSync(sharedFile, cacheFile);
    return cached;
  }
  const [{ schema }, { transformDataSchema }, { generateModelIntrospection }] = await Promise.all([
    import('../../amplify/data/resource'),
    import('./transform-data-schema'),
    import('./model-introspection'),
  ]);
  const sdl = schema.transform().schema;
  const loaded = {
    api: transformDataSchema(sdl, environment),
    modelIntrospection: generateModelIntrospection(sdl),
  };
  writeFileSync(cacheFile, JSON.stringify({ key, ...loaded }));
  writeSharedCache(sharedCacheDir, sharedFile, cacheFile);
  return loaded;
}

function readCache(file: string, key: string): LoadedApi | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // a torn or foreign file: transform again
  }
  const cached = cacheSchema.safeParse(json);
  return cached.success && cached.data.key === key
    ? { api: cached.data.api, modelIntrospection: cached.data.modelIntrospection }
    : undefined;
}

/** Publishes the transform for other data dirs (write, then rename: a racing reader sees all or nothing); older keys go. */
function writeSharedCache(dir: string, sharedFile: string, from: string): void {
  mkdirSync(dir, { recursive: true });
  const temporary = `${sharedFile}.${process.pid}.tmp`;
  copyFileSync(from, temporary);
  renameSync(temporary, sharedFile);
  for (const name of readdirSync(dir))
    if (name.endsWith('.json') && join(dir, name) !== sharedFile)
      rmSync(join(dir, name), { force: true });
}

function hashInputs(environment: TransformEnvironment): string {
  const hash = createHash('sha256');
  hash.update(`${environment.apiId}\0${environment.tableNameOf('Model')}\0`);
  for (const file of listFiles(join(REPO_ROOT, 'amplify')).concat(
    join(REPO_ROOT, 'package-lock.json'),
  )) {
    hash.update(file);
    hash.update(existsSync(file) ? readFileSync(file) : '');
  }
  // The transformer code itself is part of the input.
  for (const file of ['transform-data-schema.ts', 'model-introspection.ts'])
    hash.update(readFileSync(join(REPO_ROOT, 'local', 'appsync', file)));
  return hash.digest('hex');
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.name !== 'node_modules' && !entry.name.startsWith('.'))
    .flatMap((entry) =>
      entry.isDirectory() ? listFiles(join(dir, entry.name)) : [join(dir, entry.name)],
    )
    .sort();
}
