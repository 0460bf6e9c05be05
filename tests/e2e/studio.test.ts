// The studio end to end, in Debian's Chromium, against the local stack with real Remotion renders.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/stack';
import { startStudioServer, type StudioServer } from './studio-server';

const SCREENSHOTS = join(PROJECT_ROOT, 'tests/e2e/screenshots');
const email = `e2e-${Date.now()}@example.com`;
const password = 'E2e-password-123';

let server: StudioServer;
let browser: Browser;
let page: Page;
let dataDir: string;
const consoleErrors: string[] = [];

async function snap(name: string, fullPage = false) {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage });
}

/** Polls the stack's log for the confirmation code cognito-local printed for this address. */
async function waitForConfirmationCode(address: string): Promise<string> {
  const pattern = new RegExp(`confirmation code for ${address.replace(/[.+]/g, '\\$&')}: (\\d+)`);
  for (let attempt = 0; attempt < 100; attempt++) {
    for (const line of server.logLines) {
      const code = pattern.exec(line)?.[1];
      if (code) return code;
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`no confirmation code for ${address} in the stack's log`);
}

const jobCards = () => page.getByRole('article');
const titleBox = () => page.getByRole('textbox', { name: 'Title', exact: true });
/** The preview's text without spaces: the title card draws each word in its own element. */
const previewText = () =>
  page
    .getByTestId('preview')
    .evaluate((element) => (element.textContent ?? '').replace(/\s+/g, ''));
const statusOf = (card: Locator) => card.getByTestId('job-status');

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'studio-e2e-'));
  server = await startStudioServer({ dataDir, renderer: 'remotion' });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the studio in a real browser', () => {
  it('signs up with the printed code, signs out and signs in again', async () => {
    // The first load waits for Vite to pre-bundle the studio's dependencies: long on a loaded 2-core machine.
    await page.goto(server.studioUrl, { timeout: 180_000 });
    await page.getByRole('tab', { name: 'Create Account' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Confirm Password').fill(password);
    await snap('01-sign-up');
    await page.getByRole('button', { name: 'Create Account' }).click();
    await page.getByLabel('Confirmation Code').fill(await waitForConfirmationCode(email));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect.poll(() => page.getByText(email).count(), { timeout: 20_000 }).toBe(1);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await snap('02-sign-in');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByText(email).count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => page.getByText('No renders yet').count(), { timeout: 20_000 }).toBe(1);
  });

  it('edits title-card props and the preview follows', async () => {
    await page.getByRole('button', { name: /Title card/ }).click();
    await expect.poll(previewText, { timeout: 30_000 }).toContain('RenderStudio');
    const title = titleBox();
    await title.fill('Hello from the e2e test');
    await page.getByRole('textbox', { name: 'Background colour', exact: true }).fill('#7c2d12');
    await expect.poll(previewText).toContain('Hellofromthee2etest');
    await snap('03-edit-props');
  });

  it('shows the message for invalid props, disables Render and creates no job', async () => {
    const title = titleBox();
    await title.fill('');
    const message = page.getByRole('alert').filter({ hasText: 'Too small' });
    await expect.poll(() => message.count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Render', exact: true }).isDisabled()).toBe(true);
    await snap('04-invalid-props');
    await page.keyboard.press('Enter'); // submitting the form by keyboard must not create a job either
    await new Promise((done) => setTimeout(done, 1_000));
    expect(await jobCards().count()).toBe(0);
    await title.fill('Hello from the e2e test');
  });

  it('renders: QUEUED at once, progress rises, SUCCEEDED, the video plays, Download gives the MP4', async () => {
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    const card = jobCards().first();
    await expect.poll(() => card.count()).toBe(1);
    expect(['Queued', 'Rendering']).toContain(await statusOf(card).textContent());

    const seen: number[] = [];
    const deadline = Date.now() + 180_000;
    let shotRendering = false;
    while (Date.now() < deadline && (await statusOf(card).textContent()) !== 'Done') {
      // One read of the bar: it disappears the moment the job finishes.
      const now = await card.evaluate(
        (element) =>
          element.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? null,
      );
      if (now !== null) {
        const value = Number(now);
        if (seen.at(-1) !== value) seen.push(value);
        if (!shotRendering && value > 10) {
          await snap('05-rendering', true);
          shotRendering = true;
        }
      }
      await new Promise((done) => setTimeout(done, 150));
    }
    expect(await statusOf(card).textContent()).toBe('Done');
    expect(seen.length, `progress values seen: ${seen.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect(seen.at(-1)!).toBeGreaterThan(seen[0]!);

    const video = card.locator('video');
    await expect.poll(() => video.count(), { timeout: 20_000 }).toBe(1);
    await video.evaluate(async (element: HTMLVideoElement) => {
      element.muted = true;
      await element.play();
    });
    await expect
      .poll(() => video.evaluate((element: HTMLVideoElement) => element.currentTime), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0.5);
    await snap('06-succeeded-playing', true);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('link', { name: 'Download MP4' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('hello-from-the-e2e-test.mp4');
    const bytes = readFileSync(await download.path());
    expect(bytes.length).toBeGreaterThan(10_000);
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp'); // an ISO media (MP4) file
  });

  it('cancels a render: CANCELLED', async () => {
    await titleBox().fill('To be cancelled');
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    const card = page.getByRole('article', { name: /^To be cancelled,/ });
    await expect.poll(() => card.count()).toBe(1);
    const cancel = card.getByRole('button', { name: 'Cancel' });
    await expect.poll(() => cancel.count(), { timeout: 10_000 }).toBe(1);
    await cancel.click();
    await expect.poll(() => statusOf(card).textContent(), { timeout: 60_000 }).toBe('Cancelled');
    await snap('07-cancelled', true);
  });

  it('restores the exact state after a reload, and logged no console errors', async () => {
    const before = await jobCards().evaluateAll((cards) =>
      cards.map((card) => card.getAttribute('aria-label')),
    );
    await page.reload();
    await expect.poll(() => jobCards().count(), { timeout: 20_000 }).toBe(before.length);
    const after = await jobCards().evaluateAll((cards) =>
      cards.map((card) => card.getAttribute('aria-label')),
    );
    expect(after).toEqual(before);
    expect(await titleBox().inputValue()).toBe('To be cancelled');
    await snap('08-after-reload');
    copyFileSync(
      join(SCREENSHOTS, '06-succeeded-playing.png'),
      join(PROJECT_ROOT, 'docs/studio.png'),
    );

    // A phone-sized screen: everything fits the width, nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth))
      .toBeLessThanOrEqual(390);
    await snap('09-phone', true);
    expect(consoleErrors).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('works from the keyboard alone: Tab reaches a composition, Space selects it, Tab reaches its fields and Render', async () => {
    /** Presses Tab until `focusedIs` (run in the page, on `document.activeElement`) holds; returns the presses. */
    const tabUntil = async (focusedIs: () => boolean, what: string) => {
      for (let presses = 1; presses <= 80; presses += 1) {
        await page.keyboard.press('Tab');
        if (await page.evaluate(focusedIs)) return presses;
      }
      throw new Error(`Tab never reached ${what}`);
    };
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());

    await tabUntil(
      () =>
        document.activeElement?.tagName === 'BUTTON' &&
        /Bar chart/.test(document.activeElement.textContent ?? ''),
      'the Bar chart card',
    );
    await page.keyboard.press('Space');
    const barChart = page.getByRole('button', { name: /Bar chart/ });
    await expect.poll(() => barChart.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.getByText('Show values', { exact: true }).count()).toBe(1);
    await tabUntil(
      () => document.activeElement === document.querySelector('input[type="checkbox"]'),
      'the Show values checkbox',
    );
    await page.keyboard.press('Space');
    await expect.poll(() => page.getByRole('checkbox').first().isChecked()).toBe(false);
    await page.keyboard.press('Space');
    await tabUntil(
      () =>
        document.activeElement?.tagName === 'BUTTON' &&
        document.activeElement.textContent?.trim() === 'Render',
      'the Render button',
    );

    // Back to the title card, by keyboard too, for the test below.
    await page.getByRole('button', { name: /Title card/ }).focus();
    await page.keyboard.press('Enter');
    await expect
      .poll(() => page.getByRole('button', { name: /Title card/ }).getAttribute('aria-pressed'))
      .toBe('true');
  });

  it('keeps the truth through a reload and a lost connection mid-render (WebM): Reconnecting…, then Done with its poster, the estimate beside the time taken, and Delete… removes it', async () => {
    // Prepare: WebM (the estimate shows before Render), a render under way, its progress bar moving. At 1× the render
    // takes about 30 s here (2× took 109 s of CI), still long enough to reload and go offline mid-render; real
    // renders at other scales: tests/integration/output-formats.test.ts.
    await titleBox().fill('Through a reload');
    await page.getByLabel('Format').selectOption('webm');
    await expect
      .poll(() => page.getByTestId('render-estimate').textContent())
      .toMatch(/^Estimate: /);
    await page.getByRole('button', { name: 'Render', exact: true }).click();
    const card = page.getByRole('article', { name: /^Through a reload,/ });
    const progressOf = () =>
      card.evaluate((element) =>
        Number(element.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? -1),
      );
    await expect.poll(progressOf, { timeout: 60_000 }).toBeGreaterThan(0);

    // Act 1: reload mid-render; the card comes back rendering, its progress not behind what was shown.
    const shown = await progressOf();
    await page.reload();
    await expect.poll(() => card.count(), { timeout: 20_000 }).toBe(1);
    const afterReload = await statusOf(card).textContent();
    expect(['Rendering', 'Done']).toContain(afterReload);
    if (afterReload === 'Rendering') expect(await progressOf()).toBeGreaterThanOrEqual(shown);

    // Act 2: the network drops while it renders, then comes back.
    const reconnecting = page.getByText('Reconnecting…');
    await page.context().setOffline(true);
    await expect.poll(() => reconnecting.count(), { timeout: 20_000 }).toBe(1);
    await snap('10-reconnecting', true);
    await new Promise((done) => setTimeout(done, 2_000));
    await page.context().setOffline(false);

    // Assess: the banner goes, and the card ends Done with the video, though updates were missed offline.
    await expect.poll(() => reconnecting.count(), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => statusOf(card).textContent(), { timeout: 400_000 }).toBe('Done');
    await expect.poll(() => card.locator('video').count(), { timeout: 20_000 }).toBe(1);

    // The outputs: a WebM at 1× with its own poster as the player's poster, the estimate beside the time taken.
    const video = card.locator('video');
    expect(await card.textContent()).toContain('WebM (VP9) at 1×');
    await expect
      .poll(() => video.getAttribute('poster'), { timeout: 20_000 })
      .toMatch(/\.poster\.jpeg\?/);
    const poster = await fetch((await video.getAttribute('poster'))!);
    expect(poster.status).toBe(200);
    expect([...new Uint8Array(await poster.arrayBuffer()).subarray(0, 2)]).toEqual([0xff, 0xd8]);
    expect(await card.getByTestId('job-estimate').textContent()).toMatch(/\d/);
    expect(await card.getByTestId('job-actual-time').textContent()).toMatch(/\d/);
    await snap('11-webm-poster-estimate', true);

    // Delete… asks first; confirmed, the card goes, and so do the video and poster files.
    const videoKey = decodeURIComponent(
      new URL((await video.getAttribute('src'))!).pathname,
    ).replace(/^\/+/, '');
    const videoFile = join(dataDir, 'outputs', videoKey.slice(videoKey.indexOf('renders/')));
    expect(existsSync(videoFile)).toBe(true);
    await card.getByRole('button', { name: 'Delete…' }).click();
    await expect.poll(() => card.getByRole('alert').textContent()).toMatch(/This cannot be undone/);
    await card.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => card.count(), { timeout: 30_000 }).toBe(0);
    expect(existsSync(videoFile)).toBe(false);
    expect(existsSync(videoFile.replace(/\.webm$/, '.poster.jpeg'))).toBe(false);
    await page.reload();
    await expect.poll(() => jobCards().count(), { timeout: 20_000 }).toBeGreaterThan(0);
    expect(await page.getByRole('article', { name: /^Through a reload,/ }).count()).toBe(0);
  }, 600_000);
});
