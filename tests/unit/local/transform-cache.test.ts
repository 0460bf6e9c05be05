// The AppSync transform is shared across data dirs of one worktree: a fresh data dir (a test file's stack, a bench
// stack) reads it instead of importing the backend and the transformer again.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTransformedApi } from '../../../local/appsync/load-transformed-api';

const root = mkdtempSync(join(tmpdir(), 'transform-cache-'));
const environment = { apiId: 'cache-test', tableNameOf: (model: string) => `${model}-cache-test` };

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the shared transform cache', () => {
  it('serves a second data dir from the shared file, and ignores a torn one', async () => {
    const shared = join(root, 'shared');
    const first = await loadTransformedApi(join(root, 'a.json'), environment, shared);
    expect(first.api.tables.map((table) => table.modelName)).toContain('Job');
    const [published] = readdirSync(shared);
    expect(published).toMatch(/^[0-9a-f]{64}\.json$/);

    // Mark the shared copy: a second data dir must get exactly it.
    const sharedFile = join(shared, published!);
    const stored = JSON.parse(readFileSync(sharedFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      sharedFile,
      JSON.stringify({ ...stored, modelIntrospection: { marker: 'from the shared cache' } }),
    );
    const second = await loadTransformedApi(join(root, 'b.json'), environment, shared);
    expect(second.modelIntrospection).toEqual({ marker: 'from the shared cache' });
    expect(existsSync(join(root, 'b.json'))).toBe(true);

    // A torn shared file is not trusted: the data dir's own cache answers.
    writeFileSync(sharedFile, '{"key":');
    const third = await loadTransformedApi(join(root, 'a.json'), environment, shared);
    expect(third.modelIntrospection).toEqual(first.modelIntrospection);
  }, 60_000);
});
