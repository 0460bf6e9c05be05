import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_TOLERANCE_SECONDS } from '../../../contract/webhook-contract';

/** HMAC-SHA256 of `<timestamp>.<body>`, in hex. */
export const computeSignature = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/**
 * The `Render-Studio-Signature` header: `t=<unix seconds>,v1=<hex>` with one `v1` per secret, so a receiver
 * still holding the old secret during a rotation's grace period keeps verifying.
 */
export function signatureHeader(
  secrets: readonly string[],
  timestamp: number,
  body: string,
): string {
  if (secrets.length === 0)
    throw new Error('signatureHeader needs at least one secret, but got none');
  return [
    `t=${timestamp}`,
    ...secrets.map((secret) => `v1=${computeSignature(secret, timestamp, body)}`),
  ].join(',');
}

/** Why a delivery was rejected, or ok. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** What a receiver does (the README's verifier does the same in ten lines): signature, then age. */
export function verifySignature(options: {
  header: string | undefined;
  body: string;
  secret: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): SignatureCheck {
  const parts = (options.header ?? '').split(',').map((part) => part.split('='));
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  const signatures = parts.filter(([key]) => key === 'v1').map(([, value]) => value ?? '');
  if (!Number.isInteger(timestamp) || signatures.length === 0)
    return {
      ok: false,
      reason: `the header must look like t=<seconds>,v1=<hex>, but got ${JSON.stringify(options.header)}`,
    };
  const expected = Buffer.from(computeSignature(options.secret, timestamp, options.body), 'hex');
  const matches = signatures.some((signature) => {
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) return { ok: false, reason: 'no v1 signature matches this secret and body' };
  const age = options.nowSeconds - timestamp;
  if (Math.abs(age) > (options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS))
    return { ok: false, reason: `the timestamp is ${age} s old, outside the tolerance` };
  return { ok: true };
}
