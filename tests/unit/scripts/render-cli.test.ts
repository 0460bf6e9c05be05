import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRenderArgs, UsageError } from '../../../scripts/render/parse-render-args';
import { loadRenderProps, readRenderCredentials } from '../../../scripts/render/render-input';
import { EXIT, runRender, type RenderApi } from '../../../scripts/render/run-render';
import type { Job } from '../../../src/features/jobs/api/jobs-api';
import type { AmplifyOutputs } from '../../../src/lib/amplify-outputs';

const outputs = { custom: {} } as unknown as AmplifyOutputs;
const dir = mkdtempSync(join(tmpdir(), 'render-cli-'));

describe('npm run render: arguments', () => {
  it('reads the composition, props, wait, out (which implies wait) and outputs', () => {
    expect(parseRenderArgs(['slideshow', '--props', 'p.json', '--out', 'v.mp4'])).toEqual({
      compositionId: 'slideshow',
      propsFile: 'p.json',
      wait: true,
      out: 'v.mp4',
    });
    expect(parseRenderArgs(['title-card'])).toEqual({ compositionId: 'title-card', wait: false });
  });

  it('refuses no composition, two, and unknown options with a UsageError', () => {
    expect(() => parseRenderArgs([])).toThrow(/Expected exactly one composition id, but got none/);
    expect(() => parseRenderArgs(['a', 'b'])).toThrow(/but got "a", "b"/);
    expect(() => parseRenderArgs(['a', '--password', 'x'])).toThrow(UsageError);
  });

  it('reads credentials from the environment only, naming what is missing', () => {
    expect(() => readRenderCredentials({})).toThrow(
      /RENDER_STUDIO_USERNAME and RENDER_STUDIO_PASSWORD must be set.*npm run local:user/,
    );
    expect(
      readRenderCredentials({ RENDER_STUDIO_USERNAME: 'a@b.c', RENDER_STUDIO_PASSWORD: 'pw' }),
    ).toEqual({ username: 'a@b.c', password: 'pw' });
  });
});

describe('npm run render: props', () => {
  it('lists the known compositions for an unknown one', () => {
    expect(() => loadRenderProps('nope', undefined, outputs)).toThrow(
      /Unknown composition "nope"; known compositions are title-card, bar-chart, slideshow/,
    );
  });

  it('says what the schema expected and what came, and refuses a file that is not JSON', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ secondsPerSlide: 'fast' }));
    expect(() => loadRenderProps('slideshow', bad, outputs)).toThrow(/secondsPerSlide/);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{ nope');
    expect(() => loadRenderProps('slideshow', notJson, outputs)).toThrow(/must be JSON/);
  });

  it('lays valid props over the defaults', () => {
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ secondsPerSlide: 1 }));
    expect(loadRenderProps('slideshow', good, outputs)).toMatchObject({
      secondsPerSlide: 1,
      transition: 'slide',
    });
  });
});

describe('npm run render: exit codes', () => {
  const job = (patch: Partial<Job>) => ({ id: 'job-1', ...patch }) as Job;
  const apiEnding = (last: Job): RenderApi => ({
    createJob: async () => job({ status: 'QUEUED' }),
    getVideoUrl: async () => ({ url: 'http://x/v.mp4', expiresAt: '' }),
    subscribe: ({ onJob }) => {
      setTimeout(() => onJob(job({ status: 'RENDERING', progress: 0.5 })), 1);
      setTimeout(() => onJob(last), 2);
      return () => {};
    },
    getJob: async () => null,
  });
  const plan = { compositionId: 'slideshow', inputProps: {}, title: 't', wait: true };
  const never = new Promise<void>(() => {});

  it('0 and the saved file when the job succeeds; 1 with the error when it fails', async () => {
    const lines: string[] = [];
    const saved: string[] = [];
    const ok = await runRender(
      { ...plan, out: 'v.mp4' },
      {
        api: apiEnding(job({ status: 'SUCCEEDED' })),
        download: async (url, file) => (saved.push(`${url}→${file}`), 10),
        print: (line) => lines.push(line),
        interrupted: never,
      },
    );
    expect(ok).toBe(EXIT.ok);
    expect(saved).toEqual(['http://x/v.mp4→v.mp4']);
    expect(lines).toContain('job-1: RENDERING 50%');

    const failedLines: string[] = [];
    const failed = await runRender(plan, {
      api: apiEnding(job({ status: 'FAILED', errorMessage: 'The render failed: boom.' })),
      download: async () => 0,
      print: (line) => failedLines.push(line),
      interrupted: never,
    });
    expect(failed).toBe(EXIT.renderFailed);
    expect(failedLines.at(-1)).toBe('job-1: FAILED: The render failed: boom.');
  });

  it('130 when interrupted while waiting', async () => {
    const code = await runRender(plan, {
      api: { ...apiEnding(job({ status: 'SUCCEEDED' })), subscribe: () => () => {} },
      download: async () => 0,
      print: () => {},
      interrupted: Promise.resolve(),
    });
    expect(code).toBe(EXIT.interrupted);
  });
});
