import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { TransformedApi, TransformEnvironment } from './transform-data-schema';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
 * `cacheFile` when nothing it depends on changed (every file under `amplify/`, the lockfile, the environment).
 * Importing the backend and transformer costs seconds of start-up; a cache hit skips both.
 */
export async function loadTransformedApi(
  cacheFile: string,
  environment: TransformEnvironment,
): Promise<LoadedApi> {
  const key = hashInputs(environment);
  if (existsSync(cacheFile)) {
    const cached = cacheSchema.safeParse(JSON.parse(readFileSync(cacheFile, 'utf8')));
    if (cached.success && cached.data.key === key)
      return { api: cached.data.api, modelIntrospection: cached.data.modelIntrospection };
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
  return loaded;
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
