// Scripted renders (`npm run render`) and Remotion's webhook against one local stack with the real Remotion renderer:
// the CLI signs in as a user of the local pool, renders a one-second slideshow to an MP4, and reports a failed
// render with its error and exit code 1. The worker's progress poll is 90 s, so a job that ends within a poll
// ended through the webhook path (docs/architecture.md, "Completion from Remotion's webhook").
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock, Renderer } from '../../amplify/functions/render-worker/ports';
import { PROJECT_ROOT, startLocalStack, type LocalStack } from '../../local/stack';
import { openJobTable } from '../support/local-stack-session';

const POLL_MS = 90_000;
const USER = { email: 'script@render.local', password: 'Script-pass-1234' };
const FAIL_CAPTION = 'please fail this render';
const shortSlideshow = (caption: string) => ({
  slides: [{ image: 'slides/aurora.svg', caption }],
  secondsPerSlide: 1,
});

/** What happened, in order: the worker's long poll sleeps and wakes, and the jobs the test saw end. */
const events: string[] = [];
const pendingSleeps = new Set<() => void>();
const observeClock = (clock: Clock): Clock => ({
  now: () => clock.now(),
  sleep: (ms) => {
    if (ms < POLL_MS) return clock.sleep(ms);
    events.push('poll sleeps');
    // Released early when the stack stops, so no 90 s timer outlives the test.
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        pendingSleeps.delete(wake);
        events.push('poll wakes');
        resolve();
      };
      const timer = setTimeout(wake, ms);
      pendingSleeps.add(wake);
    });
  },
});

/** Renders whose props carry FAIL_CAPTION fail at once, as a fatal Remotion error would. */
const failingRenders = new Set<string>();
const failOnCaption = (renderer: Renderer): Renderer => ({
  ...renderer,
  async start(request) {
    if (!JSON.stringify(request.inputProps).includes(FAIL_CAPTION)) return renderer.start(request);
    const renderId = `failing-${request.jobId}`;
    failingRenders.add(renderId);
    return { renderId };
  },
  async getProgress(renderId) {
    if (failingRenders.has(renderId))
      return {
        state: 'failed',
        message: 'Chromium crashed while rendering frame 7.',
        retryable: false,
        costUsd: 0,
      };
    return renderer.getProgress(renderId);
  },
});

let stack: LocalStack;
let dataDir: string;

/** Runs `npm run render -- …args` as a user would, against the stack's outputs. */
const runCli = (
  args: string[],
  {
    env = {},
    onOutput,
  }: { env?: Record<string, string>; onOutput?: (text: string, kill: () => void) => void } = {},
) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/render.ts', ...args], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        LOCAL_DATA_DIR: dataDir,
        RENDER_STUDIO_USERNAME: USER.email,
        RENDER_STUDIO_PASSWORD: USER.password,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    // One Ctrl-C, as a user presses it: a second would end the process by the signal itself.
    let interrupted = false;
    const interrupt = () => {
      if (interrupted) return;
      interrupted = true;
      child.kill('SIGINT');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onOutput?.(stdout, interrupt);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const jobIdOf = (stdout: string) => /^(\S+): created/m.exec(stdout)?.[1];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'scripted-render-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'remotion',
    renderCap: 2,
    workerPollIntervalMs: POLL_MS,
    reconciler: { everyMs: 0 },
    faults: { wrapClock: observeClock, wrapRenderer: failOnCaption },
  });
  await stack.dataPlane.cognito.createUser(USER.email, USER.password);
  writeFileSync(join(dataDir, 'ok.json'), JSON.stringify(shortSlideshow('One second')));
  writeFileSync(join(dataDir, 'fail.json'), JSON.stringify(shortSlideshow(FAIL_CAPTION)));
});

afterAll(async () => {
  for (const wake of [...pendingSleeps]) wake();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('npm run render against local mode', () => {
  it('renders an MP4 with --out, ending at the webhook while the worker’s 90 s poll still sleeps', async () => {
    const out = join(dataDir, 'video.mp4');
    const table = openJobTable(stack);
    let jobId: string | undefined;
    const { code, stdout, stderr } = await runCli(
      ['slideshow', '--props', join(dataDir, 'ok.json'), '--out', out],
      {
        onOutput: (text) => {
          if (!jobId && (jobId = jobIdOf(text))) events.push('job created');
          if (/SUCCEEDED/.test(text) && !events.includes('job succeeded'))
            events.push('job succeeded');
        },
      },
    );

    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/RENDERING \d+%/);
    expect(stdout).toMatch(new RegExp(`${jobId}: saved .*video\\.mp4 \\(\\d+ bytes\\)`));
    // An MP4: the first box is `ftyp`.
    const bytes = readFileSync(out);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(bytes.length).toBeGreaterThan(1000);
    expect((await table.get(jobId!))?.status).toBe('SUCCEEDED');
    table.close();
    // The tracker slept its 90 s poll right after the start and had not woken when the job succeeded: the webhook
    // woke the job's tracking.
    const created = events.indexOf('job created');
    const sleeps = events.indexOf('poll sleeps', created);
    const succeeded = events.indexOf('job succeeded');
    expect(sleeps).toBeGreaterThan(-1);
    expect(succeeded).toBeGreaterThan(sleeps);
    expect(events.slice(sleeps, succeeded)).not.toContain('poll wakes');
  });

  it("exits 1 with the job's error when the render fails", async () => {
    const { code, stdout } = await runCli([
      'slideshow',
      '--props',
      join(dataDir, 'fail.json'),
      '--wait',
    ]);

    expect(code).toBe(1);
    expect(stdout).toMatch(
      /: FAILED: The render failed: Chromium crashed while rendering frame 7\. Check the composition and its props, then render again\./,
    );
  });

  it('stops waiting on Ctrl-C with exit code 130, leaving the job to render', async () => {
    const { code, stdout, stderr } = await runCli(
      ['slideshow', '--props', join(dataDir, 'ok.json'), '--wait', '--title', 'interrupted'],
      { onOutput: (text, kill) => jobIdOf(text) && kill() },
    );

    expect({ code, stderr }).toEqual({ code: 130, stderr: '' });
    expect(stdout).toMatch(/stopped waiting; the render goes on/);
  });
});
