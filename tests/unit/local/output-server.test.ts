import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseByteRange,
  startOutputServer,
  type OutputServer,
} from '../../../local/outputs/output-server';
import { createUrlSigner } from '../../../local/outputs/signed-urls';

const SECRET = Buffer.alloc(32, 7);
const KEY = 'renders/user-1/job-1.mp4';
const BODY = Buffer.from('0123456789abcdefghij');

describe('signed output URLs', () => {
  const signer = createUrlSigner(SECRET, 'http://127.0.0.1:9');
  const pathOf = (url: string) => url.replace('http://127.0.0.1:9', '');

  it('grants the signed key until it expires', () => {
    const url = signer.sign(KEY, 10_000_000);
    expect(signer.verify(pathOf(url), 9_000_000)).toEqual({ ok: true, key: KEY });
    expect(signer.verify(pathOf(url), 10_000_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another key, a changed expiry, another secret', () => {
    const path = pathOf(signer.sign(KEY, 10_000_000));
    expect(signer.verify(path.replace('job-1', 'job-2'), 0).ok).toBe(false);
    expect(signer.verify(path.replace('expires=10000', 'expires=99999'), 0).ok).toBe(false);
    expect(createUrlSigner(Buffer.alloc(32, 8)).verify(path, 0).ok).toBe(false);
  });

  it('refuses to sign or serve paths that leave the outputs folder', () => {
    expect(() => signer.sign('../secret', 1)).toThrow(/plain path segments/);
    expect(signer.verify('/renders/%2e%2e/x?expires=9999999999&signature=x', 0).ok).toBe(false);
    expect(signer.verify('/a%2Fb?expires=9999999999&signature=x', 0).ok).toBe(false);
  });
});

describe('parseByteRange', () => {
  it.each([
    ['bytes=0-4', { start: 0, end: 4 }],
    ['bytes=5-', { start: 5, end: 19 }],
    ['bytes=-3', { start: 17, end: 19 }],
    ['bytes=10-999', { start: 10, end: 19 }],
    ['bytes=20-', undefined],
    ['bytes=5-2', undefined],
    ['items=0-1', undefined],
  ])('%s', (header, expected) => {
    expect(parseByteRange(header, 20)).toEqual(expected);
  });
});

describe('output server', () => {
  let dir: string;
  let server: OutputServer;
  let now = 1_000_000;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outputs-'));
    mkdirSync(join(dir, 'renders/user-1'), { recursive: true });
    writeFileSync(join(dir, KEY), BODY);
    server = await startOutputServer({ rootDir: dir, secret: SECRET, now: () => now });
  });
  afterAll(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a signed URL in full and by range', async () => {
    const url = server.signer.sign(KEY, now + 60_000);
    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(full.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await full.arrayBuffer())).toEqual(BODY);
    const part = await fetch(url, { headers: { range: 'bytes=10-13' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-13/20');
    expect(await part.text()).toBe('abcd');
    expect((await fetch(url, { headers: { range: 'bytes=50-' } })).status).toBe(416);
  });

  it('answers 403 to a forged, tampered or expired URL, and to no signature', async () => {
    const url = server.signer.sign(KEY, now + 60_000);
    expect((await fetch(url.replace(/signature=.{4}/, 'signature=AAAA'))).status).toBe(403);
    expect((await fetch(url.replace('user-1', 'user-2'))).status).toBe(403);
    expect((await fetch(`${server.url}/${KEY}`)).status).toBe(403);
    now += 120_000;
    expect((await fetch(url)).status).toBe(403);
  });

  it('answers 404 for a signed URL of a file that does not exist', async () => {
    const url = server.signer.sign('renders/user-1/missing.mp4', now + 60_000);
    expect((await fetch(url)).status).toBe(404);
  });
});
