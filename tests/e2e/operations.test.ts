// The Operations view end to end, in Debian's Chromium, against the local stack (stub renderer): two poison jobs
// reach the dead-letter queue, an admin sees both, discards one, and redrives the other, which then succeeds.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../amplify/functions/render-worker/ports';
import { PROJECT_ROOT } from '../../local/stack';
import {
  createJobAs,
  createLocalUser,
  openJobTable,
  type StoredJob,
} from '../support/local-stack-session';
import { startStudioServer, type StudioServer } from './studio-server';

const ADMIN = { email: 'operator@example.com', password: 'Operator-pass-123' };
/** Renders of these titles fail as throttled on every start, until the title is healed. */
const POISONED = new Set(['Poison to discard', 'Poison to redrive']);

let server: StudioServer;
let browser: Browser;
let page: Page;
let dataDir: string;
let discardId: string;
let redriveId: string;

const titleOf = (props: Record<string, unknown>) =>
  typeof props.title === 'string' ? props.title : '';

/** The stub renderer, but a poisoned title's start is throttled every time (retryable, so it dead-letters). */
const poisonRenderer = (renderer: Renderer): Renderer => ({
  ...renderer,
  async start(request) {
    if (POISONED.has(titleOf(request.inputProps)))
      throw Object.assign(new Error('Rate Exceeded.'), { name: 'TooManyRequestsException' });
    return renderer.start(request);
  },
});

async function waitForJob(jobId: string, accept: (job: StoredJob | undefined) => boolean) {
  const table = openJobTable(server.stack);
  const deadline = Date.now() + 45_000;
  for (;;) {
    const job = await table.get(jobId);
    if (accept(job)) return job!;
    if (Date.now() > deadline)
      throw new Error(
        `job ${jobId}: ${JSON.stringify(job)}\n${server.logLines.slice(-20).join('\n')}`,
      );
    await new Promise((done) => setTimeout(done, 200));
  }
}

const rowOf = (jobId: string) => page.locator(`tr[data-job-id="${jobId}"]`);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'operations-e2e-'));
  server = await startStudioServer({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [200, 400],
    faults: { wrapRenderer: poisonRenderer },
  });
  await server.stack.dataPlane.cognito.createUser(ADMIN.email, ADMIN.password, { admin: true });
  const user = await createLocalUser(server.stack, 'poisoner@example.com');
  [discardId, redriveId] = await Promise.all([
    createJobAs(server.stack, user, { title: 'Poison to discard' }),
    createJobAs(server.stack, user, { title: 'Poison to redrive' }),
  ]);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the Operations view in a real browser', () => {
  it('shows dead-lettered jobs to an admin, discards one and redrives the other to success', async () => {
    // Both jobs are throttled on every receive: the queue gives up, the DLQ path ends them FAILED and keeps the letters.
    for (const jobId of [discardId, redriveId])
      expect((await waitForJob(jobId, (job) => job?.status === 'FAILED')).errorMessage).toMatch(
        /gave up after 3 attempts/,
      );

    // The first load waits for Vite to pre-bundle the studio's dependencies: long on a loaded 2-core machine.
    await page.goto(server.studioUrl, { timeout: 180_000 });
    await page.getByLabel('Email').fill(ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Operations' }).click();
    await expect.poll(() => rowOf(discardId).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => rowOf(redriveId).count(), { timeout: 20_000 }).toBe(1);
    expect(await rowOf(discardId).textContent()).toContain('gave up after 3 attempts');
    expect(await page.getByRole('region', { name: 'Recent failures' }).textContent()).toContain(
      redriveId,
    );
    mkdirSync(join(PROJECT_ROOT, 'docs'), { recursive: true });
    await page.screenshot({ path: join(PROJECT_ROOT, 'docs/operations.png'), fullPage: true });

    // Discard: the letter goes, the job stays FAILED.
    await rowOf(discardId).getByRole('button', { name: 'Discard' }).click();
    await expect.poll(() => rowOf(discardId).count(), { timeout: 20_000 }).toBe(0);
    expect((await openJobTable(server.stack).get(discardId))?.status).toBe('FAILED');

    // The cause is fixed (the title heals), then Redrive: the job is queued again and renders.
    POISONED.delete('Poison to redrive');
    await rowOf(redriveId).getByRole('button', { name: 'Redrive' }).click();
    await expect.poll(() => rowOf(redriveId).count(), { timeout: 20_000 }).toBe(0);
    const redriven = await waitForJob(redriveId, (job) => job?.status === 'SUCCEEDED');
    expect(redriven.outputKey).toBeTruthy();
    expect(await page.getByText('No dead letters.').count()).toBe(1);
  }, 120_000);
});
