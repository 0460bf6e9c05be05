import { appendFileSync, cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  remotionSiteHash,
  remotionSiteInputFiles,
} from '../../../amplify/remotion-lambda/remotion-site-inputs';

const projectRoot = join(import.meta.dirname, '../../..');

describe("the Remotion site's asset hash", () => {
  let root: string;
  let script: string;

  beforeAll(() => {
    // A copy of what the site is built from, so each input can be changed in turn.
    root = mkdtempSync(join(tmpdir(), 'site-inputs-'));
    for (const part of [
      'remotion',
      'public',
      'contract',
      'src',
      'package-lock.json',
      'amplify/remotion-lambda',
    ]) {
      cpSync(join(projectRoot, part), join(root, part), { recursive: true });
    }
    script = join(root, 'amplify/remotion-lambda/bundle-site.mjs');
  });

  it('covers code the compositions import from outside remotion/', () => {
    const inputs = remotionSiteInputFiles(root, script);
    expect(inputs).toContain(join(root, 'contract/job-contract.ts'));
    expect(inputs).toContain(join(root, 'package-lock.json'));
    expect(inputs).toContain(script);
  });

  it.each([
    ['a composition', 'remotion/compositions/title-card/schema.ts'],
    ['code imported from outside remotion/', 'contract/job-contract.ts'],
    ['a public/ asset', 'public/slides/aurora.svg'],
    ['the locked dependency versions', 'package-lock.json'],
    ['the bundling script', 'amplify/remotion-lambda/bundle-site.mjs'],
  ])('changes when %s changes', (_what, file) => {
    const before = remotionSiteHash(root, script);
    appendFileSync(join(root, file), '\n');
    expect(remotionSiteHash(root, script)).not.toBe(before);
  });

  it('does not change when a file the site does not use changes', () => {
    const before = remotionSiteHash(root, script);
    appendFileSync(join(root, 'src/app/studio-app.tsx'), '\n');
    expect(remotionSiteHash(root, script)).toBe(before);
  });
});
