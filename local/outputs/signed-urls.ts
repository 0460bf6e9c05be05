import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Signs and checks expiring output URLs (the local stand-in for S3 presigned URLs). */
export interface UrlSigner {
  /** A URL for `key` (e.g. `renders/<sub>/<jobId>.mp4`) that works until `expiresAtMs`. */
  sign(key: string, expiresAtMs: number): string;
  /** The key a request path + query grants, or why it is refused. */
  verify(
    pathWithQuery: string,
    nowMs: number,
  ): { ok: true; key: string } | { ok: false; reason: string };
}

const SAFE_KEY = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Creates a signer for URLs under `baseUrl` (the output server), keyed with an HMAC secret. */
export function createUrlSigner(secret: Buffer, baseUrl = 'http://127.0.0.1'): UrlSigner {
  const mac = (key: string, expires: string) =>
    createHmac('sha256', secret).update(`${key}\n${expires}`).digest('base64url');
  return {
    sign(key, expiresAtMs) {
      if (!SAFE_KEY.test(key) || key.split('/').includes('..'))
        throw new Error(
          `An output key must be plain path segments, but got ${JSON.stringify(key)}`,
        );
      const expires = String(Math.floor(expiresAtMs / 1000));
      const url = new URL(`/${key}`, baseUrl);
      url.searchParams.set('expires', expires);
      url.searchParams.set('signature', mac(key, expires));
      return url.toString();
    },
    verify(pathWithQuery, nowMs) {
      const url = new URL(pathWithQuery, 'http://local');
      const key = decodeURIComponent(url.pathname.replace(/^\/+/, ''));
      const expires = url.searchParams.get('expires') ?? '';
      const signature = url.searchParams.get('signature') ?? '';
      if (!SAFE_KEY.test(key) || key.split('/').includes('..'))
        return { ok: false, reason: 'not an output path' };
      if (!/^\d+$/.test(expires)) return { ok: false, reason: 'missing or malformed expiry' };
      const expected = Buffer.from(mac(key, expires));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: 'bad signature' };
      if (Number(expires) * 1000 <= nowMs) return { ok: false, reason: 'expired' };
      return { ok: true, key };
    },
  };
}

/** Reads the signing secret from `file`, creating it on first use, so URLs survive a restart. */
export function loadOrCreateSecret(file: string): Buffer {
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'hex');
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  writeFileSync(file, secret.toString('hex'), { mode: 0o600 });
  return secret;
}
