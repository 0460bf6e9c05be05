import { createHmac, timingSafeEqual } from 'node:crypto';
import { Buffer } from 'node:buffer';
/** True for a genuine, fresh Render Studio delivery (header: Render-Studio-Signature, body: the raw body). */
export function verifyWebhook(header, body, secret, now = Date.now() / 1000) {
  const fields = (header ?? '').split(',').map((field) => field.split('='));
  const t = Number(fields.find(([key]) => key === 't')?.[1]);
  const mac = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const signed = fields.some(
    ([key, hex]) =>
      key === 'v1' && /^[0-9a-f]{64}$/.test(hex) && timingSafeEqual(Buffer.from(hex, 'hex'), mac),
  );
  return signed && Math.abs(now - t) <= 300; // then skip event ids (body.id) you have already handled
}
