// The README's webhook verifier is the file docs/examples/verify-webhook.mjs, character for character; this file
// checks them equal and tries the verifier on forged headers. tests/integration/webhooks.test.ts runs the same file
// against real deliveries from local mode (valid, tampered body, wrong secret, a timestamp over 5 minutes old).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from '../../../amplify/functions/webhooks/webhook-signature';
import { verifyWebhook } from '../../../docs/examples/verify-webhook.mjs';

const root = new URL('../../../', import.meta.url);
const NOW = 1_800_000_000;

describe("the README's webhook verifier", () => {
  it('is the code block in the README, exactly', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const file = readFileSync(new URL('docs/examples/verify-webhook.mjs', root), 'utf8');
    const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]);
    const verifierBlocks = blocks.filter((block) =>
      block?.includes('export function verifyWebhook'),
    );
    expect(verifierBlocks).toHaveLength(1);
    expect(verifierBlocks[0]).toBe(file);
  });

  it("accepts the server's signature and refuses forged or malformed headers without throwing", () => {
    const body = '{"id":"evt_0123456789abcdef0123","type":"webhook.test"}';
    const header = signatureHeader(['whsec_a'], NOW, body);
    expect(verifyWebhook(header, body, 'whsec_a', NOW + 299)).toBe(true);
    const forged = [
      undefined,
      '',
      `t=${NOW}`,
      `t=${NOW},v1=${'z'.repeat(64)}`,
      `t=${NOW},v1=${'a'.repeat(63)}`,
      `t=${NOW + 1},${header.split(',')[1]}`,
      `v1=${header.split('v1=')[1]}`,
      header.toUpperCase(),
    ];
    for (const candidate of forged)
      expect(verifyWebhook(candidate, body, 'whsec_a', NOW), String(candidate)).toBe(false);
  });
});
