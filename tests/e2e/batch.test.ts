// Batches end to end, in Debian's Chromium, against the local stack (stub renderer: the studio test already proves
// real Remotion output; this one is about the batch flow): a 5-row CSV with one invalid row is uploaded, the error
// is shown, the row is skipped, the batch is submitted and finishes, and Download all gives a ZIP whose entries and
// manifest match the batch.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import Papa from 'papaparse';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/stack';
import { startStudioServer, type StudioServer } from './studio-server';

const USER = { email: 'batcher@example.com', password: 'Batcher-pass-123' };
const LONG_TITLE =
  'A title far too long for the title card which takes at most eighty characters and no more';
const CSV = [
  'title,subtitle,Background colour',
  'Hello Alice,Your card,#1e3a8a',
  'Hello Bob,"Two, parts",#14532d',
  `${LONG_TITLE},Too long,#7c2d12`,
  'Hello Dana,"A line ""quoted""",#581c87',
  'Hello Eve,Last one,#0f172a',
].join('\r\n');

let server: StudioServer;
let browser: Browser;
let page: Page;
let dataDir: string;
const consoleErrors: string[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'batch-e2e-'));
  server = await startStudioServer({ dataDir, renderer: 'stub', stubRenderMs: [200, 400] });
  await server.stack.dataPlane.cognito.createUser(USER.email, USER.password);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  // Playwright cannot answer Chromium's save picker: Download all takes its other path, a browser download (the
  // picker's streamed path is unit-tested with a stand-in picker, tests/unit/batch/batch-archive.test.ts).
  await page.addInitScript(() => {
    // It lives on Window.prototype: shadow it on the window.
    Object.defineProperty(window, 'showSaveFilePicker', { value: undefined });
  });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('batches in a real browser', () => {
  const mark = (what: string) =>
    console.log(`[batch e2e] ${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let started = 0;
  it('uploads a CSV, shows the invalid row, skips it, submits, watches the batch finish and downloads all', async () => {
    started = Date.now();
    // The first load waits for Vite to pre-bundle the studio's dependencies: long on a loaded 2-core machine.
    await page.goto(server.studioUrl, { timeout: 180_000 });
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: /Title card/ }).click();
    await page.getByRole('button', { name: 'Batch…' }).click();

    // Upload: the long title is listed with its row, field and the limit; Submit waits for a decision.
    await page.getByLabel('CSV or JSON file').setInputFiles({
      name: 'customers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`\ufeff${CSV}`),
    });
    mark('uploaded');

    const invalid = page.getByRole('alert', { name: 'Invalid rows' });
    await expect
      .poll(() => invalid.textContent(), { timeout: 20_000 })
      .toMatch(/row 3, `title`: .*80/);
    const submit = page.getByRole('button', { name: 'Submit 4 rows' });
    expect(await submit.isDisabled()).toBe(true);
    expect(await page.getByLabel('Column for Background colour').inputValue()).toBe(
      'Background colour',
    );

    // Preview row 2 in the Player, then skip the invalid row and submit.
    await page.getByRole('spinbutton', { name: 'Preview row' }).fill('2');
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await expect.poll(() => page.getByText('Previewing row 2').count()).toBe(1);
    await page.getByRole('checkbox', { name: /Skip 1 invalid row/ }).check();
    await submit.click();
    await expect
      .poll(() => page.getByText('Batch submitted: 4 renders queued.').count(), { timeout: 30_000 })
      .toBe(1);

    mark('submitted');
    // The card follows the batch live until every row ended.
    const card = page.getByRole('article', { name: /^Batch customers,/ });
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
    await expect
      .poll(() => card.getByTestId('batch-status').textContent(), { timeout: 60_000 })
      .toBe('Finished');
    mark('finished');
    expect(await card.locator('[data-count="succeeded"] dd').textContent()).toBe('4');
    expect(await card.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await card.getByRole('button', { name: 'Show rows' }).click();
    await expect.poll(() => card.getByRole('listitem').count(), { timeout: 20_000 }).toBe(4);
    mkdirSync(join(PROJECT_ROOT, 'tests/e2e/screenshots'), { recursive: true });
    await page.screenshot({
      path: join(PROJECT_ROOT, 'tests/e2e/screenshots/11-batch.png'),
      fullPage: true,
    });

    // Download all: one video per row under its row number, and the manifest row → status, error, URL.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      card.getByRole('button', { name: 'Download all' }).click(),
    ]);
    mark('downloaded');
    expect(download.suggestedFilename()).toBe('customers.zip');
    const entries = unzipSync(new Uint8Array(readFileSync(await download.path())));
    expect(Object.keys(entries).sort()).toEqual([
      'manifest.csv',
      'row-00001.mp4',
      'row-00002.mp4',
      'row-00003.mp4',
      'row-00004.mp4',
    ]);
    for (const name of Object.keys(entries).filter((entry) => entry.endsWith('.mp4')))
      expect(entries[name]!.length).toBeGreaterThan(0);
    const manifest = Papa.parse<Record<string, string>>(strFromU8(entries['manifest.csv']!), {
      header: true,
      skipEmptyLines: true,
    });
    expect(manifest.meta.fields).toEqual(['row', 'title', 'status', 'error', 'file', 'url']);
    expect(manifest.data.map((line) => [line.row, line.status, line.error, line.file])).toEqual([
      ['1', 'SUCCEEDED', '', 'row-00001.mp4'],
      ['2', 'SUCCEEDED', '', 'row-00002.mp4'],
      ['3', 'SUCCEEDED', '', 'row-00003.mp4'],
      ['4', 'SUCCEEDED', '', 'row-00004.mp4'],
    ]);
    for (const line of manifest.data) expect(line.url).toMatch(/^https?:\/\//);
    // The batch's rows are not listed one by one among the single renders.
    expect(await page.getByRole('article', { name: /· row \d/ }).count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
