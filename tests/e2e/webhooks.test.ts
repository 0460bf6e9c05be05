// The Webhooks panel end to end, in Debian's Chromium, against the local stack (stub renderer) and a real receiver
// on loopback: add an endpoint (the secret shown once), Send test event, see it in the delivery log, Redeliver,
// and check both deliveries with the README's verifier and that secret; then render with metadata typed in the
// Render form and find it in the job.succeeded event, and again after Render again.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../docs/examples/verify-webhook.mjs';
import { WEBHOOK_SIGNATURE_HEADER } from '../../contract/webhook-contract';
import { startStudioServer, type StudioServer } from './studio-server';

const USER = { email: 'integrator@example.com', password: 'Integrator-pass-123' };

let server: StudioServer;
let browser: Browser;
let page: Page;
let dataDir: string;
let receiver: Server;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/render-hooks`;
  dataDir = mkdtempSync(join(tmpdir(), 'webhooks-e2e-'));
  server = await startStudioServer({ dataDir, renderer: 'stub', stubRenderMs: [100, 200] });
  await server.stack.dataPlane.cognito.createUser(USER.email, USER.password);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((done) => (receiver ? receiver.close(() => done()) : done()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('the Webhooks panel in a real browser', () => {
  it('adds an endpoint, shows its secret once, sends a test event, logs it, and redelivers it', async () => {
    // The first load waits for Vite to pre-bundle the studio's dependencies: long on a loaded 2-core machine.
    await page.goto(server.studioUrl, { timeout: 180_000 });
    await page.getByLabel('Email').fill(USER.email);
    await page.getByLabel('Password', { exact: true }).fill(USER.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: 'Webhooks' }).click();

    const panel = page.getByRole('region', { name: 'Webhooks' });
    await panel.getByLabel('Endpoint URL').fill(receiverUrl);
    await panel.getByRole('button', { name: 'Add endpoint' }).click();
    const secretBox = page.getByTestId('webhook-secret');
    await expect.poll(() => secretBox.count(), { timeout: 45_000 }).toBe(1);
    const secret = (await secretBox.textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await secretBox.count()).toBe(0);

    const endpoint = panel.getByRole('article', { name: receiverUrl });
    await endpoint.getByRole('button', { name: 'Send test event' }).click();
    const log = endpoint.getByRole('table', { name: 'Delivery log' });
    await expect.poll(() => log.locator('tbody tr').count(), { timeout: 45_000 }).toBe(1);
    const row = await log.locator('tbody tr').first().textContent();
    expect(row).toContain('webhook.test');
    expect(row).toContain('DELIVERED');
    expect(row).toContain('204');
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(1);

    await log.getByRole('button', { name: 'Redeliver' }).click();
    await expect.poll(() => log.locator('tbody tr').count(), { timeout: 45_000 }).toBe(2);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(2);
    // The same event, the same body, signed with the secret the panel showed once.
    expect(received[1]!.headers['render-studio-event-id']).toBe(
      received[0]!.headers['render-studio-event-id'],
    );
    expect(received[1]!.body).toBe(received[0]!.body);
    for (const delivery of received)
      expect(
        verifyWebhook(
          delivery.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string,
          delivery.body,
          secret,
        ),
      ).toBe(true);
  }, 180_000);

  it('renders with metadata typed in the Metadata box and receives it in the job.succeeded event; Render again keeps it', async () => {
    const box = page.getByLabel('Metadata (JSON, optional)');
    const renderButton = page.getByRole('button', { name: 'Render', exact: true });
    await box.fill('{"orderId": 42');
    const refusal = page.getByRole('alert').filter({ hasText: 'metadata must be valid JSON' });
    await expect.poll(() => refusal.count()).toBe(1);
    expect(await renderButton.isDisabled()).toBe(true);
    await box.fill('{"orderId": "e2e-42", "tags": ["browser"]}');
    await expect.poll(() => refusal.count()).toBe(0);
    await renderButton.click();

    const jobEvents = () =>
      received
        .map(
          (delivery) =>
            JSON.parse(delivery.body) as {
              type: string;
              data: { id?: string; metadata?: unknown };
            },
        )
        .filter((event) => event.type === 'job.succeeded');
    await expect.poll(() => jobEvents().length, { timeout: 60_000 }).toBe(1);
    expect(jobEvents()[0]!.data.metadata).toEqual({ orderId: 'e2e-42', tags: ['browser'] });

    await page.getByRole('button', { name: 'Render again' }).first().click();
    await expect.poll(() => jobEvents().length, { timeout: 60_000 }).toBe(2);
    const [first, again] = jobEvents();
    expect(again!.data.id).not.toBe(first!.data.id);
    expect(again!.data.metadata).toEqual({ orderId: 'e2e-42', tags: ['browser'] });
  }, 150_000);
});
