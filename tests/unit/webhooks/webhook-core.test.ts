import { describe, expect, it } from 'vitest';
import { deliverWebhook } from '../../../amplify/functions/webhooks/deliver-webhook';
import type { SendResult } from '../../../amplify/functions/webhooks/send-webhook-request';
import type {
  DeliveryMessage,
  StoredWebhookDelivery,
  WebhookStore,
} from '../../../amplify/functions/webhooks/webhook-ports';
import {
  signatureHeader,
  verifySignature,
} from '../../../amplify/functions/webhooks/webhook-signature';
import {
  resolveWebhookTarget,
  WebhookUrlRefusedError,
} from '../../../amplify/functions/webhooks/webhook-url-policy';
import { WEBHOOK_DELIVERY_POLICY } from '../../../contract/webhook-contract';

const NOW = 1_800_000_000;

describe('webhook signatures', () => {
  const body = '{"id":"evt_0123456789abcdef"}';
  const header = signatureHeader(['whsec_a'], NOW, body);
  it('accepts a valid signature and refuses tampered body, wrong secret, expired timestamp', () => {
    expect(verifySignature({ header, body, secret: 'whsec_a', nowSeconds: NOW + 10 })).toEqual({
      ok: true,
    });
    expect(
      verifySignature({ header, body: body + ' ', secret: 'whsec_a', nowSeconds: NOW }).ok,
    ).toBe(false);
    expect(verifySignature({ header, body, secret: 'whsec_b', nowSeconds: NOW }).ok).toBe(false);
    expect(verifySignature({ header, body, secret: 'whsec_a', nowSeconds: NOW + 301 }).ok).toBe(
      false,
    );
  });
  it('signs with both secrets during a rotation', () => {
    const both = signatureHeader(['whsec_new', 'whsec_old'], NOW, body);
    expect(verifySignature({ header: both, body, secret: 'whsec_old', nowSeconds: NOW }).ok).toBe(
      true,
    );
    expect(verifySignature({ header: both, body, secret: 'whsec_new', nowSeconds: NOW }).ok).toBe(
      true,
    );
  });
});

describe('webhook URL policy', () => {
  const resolveTo = (address: string) => async () => [
    { address, family: address.includes(':') ? 6 : 4 },
  ];
  it.each(['10.0.0.5', '127.0.0.1', '169.254.169.254', 'fd00:ec2::254', '::ffff:127.0.0.1'])(
    'refuses a name resolving to %s',
    async (address) => {
      await expect(
        resolveWebhookTarget('https://hooks.example.com/x', 'cloud', resolveTo(address)),
      ).rejects.toBeInstanceOf(WebhookUrlRefusedError);
    },
  );
  it('refuses http in the cloud, allows http://localhost locally, pins a public address', async () => {
    await expect(resolveWebhookTarget('http://localhost:9/x', 'cloud')).rejects.toBeInstanceOf(
      WebhookUrlRefusedError,
    );
    expect((await resolveWebhookTarget('http://127.0.0.1:9/x', 'local')).address).toBe('127.0.0.1');
    expect(
      (await resolveWebhookTarget('https://hooks.example.com/x', 'cloud', resolveTo('8.8.8.8')))
        .address,
    ).toBe('8.8.8.8');
  });
});

describe('deliverWebhook', () => {
  it('retries 503 then delivers, with the same event id, and does not retry a 400', async () => {
    const log: StoredWebhookDelivery[] = [];
    const queued: DeliveryMessage[] = [];
    const store = {
      getEndpoint: async () => ({
        id: 'e1',
        owner: 's::u',
        url: 'https://hooks.example.com/x',
        events: ['job.succeeded'],
        enabled: true,
      }),
      getSecrets: async () => ({ current: 'whsec_a' }),
      appendDelivery: async (delivery: StoredWebhookDelivery) => void log.push(delivery),
    } as unknown as WebhookStore;
    const answers: SendResult[] = [
      { kind: 'answered', statusCode: 503, durationMs: 1 },
      { kind: 'answered', statusCode: 200, durationMs: 1 },
      { kind: 'answered', statusCode: 400, durationMs: 1 },
    ];
    const ports = {
      store,
      queue: { enqueue: async (message: DeliveryMessage) => void queued.push(message) },
      send: async () => answers.shift()!,
      resolveHost: async () => [{ address: '8.8.8.8', family: 4 }],
      mode: 'cloud' as const,
      policy: { ...WEBHOOK_DELIVERY_POLICY },
      now: () => new Date(NOW * 1000),
      random: () => 0.5,
      newId: () => String(log.length),
    };
    const first: DeliveryMessage = {
      endpointId: 'e1',
      eventId: 'evt_0123456789abcdef',
      eventType: 'job.succeeded',
      payload: '{}',
      attempt: 1,
      firstAttemptAt: new Date(NOW * 1000).toISOString(),
    };
    expect(await deliverWebhook(first, ports)).toMatchObject({ outcome: 'RETRYING' });
    expect(queued[0]).toMatchObject({ eventId: first.eventId, attempt: 2 });
    expect(await deliverWebhook({ ...queued[0]!, notBefore: undefined }, ports)).toMatchObject({
      outcome: 'DELIVERED',
    });
    expect(await deliverWebhook(first, ports)).toMatchObject({ outcome: 'FAILED' });
    expect(queued).toHaveLength(1);
    expect(log.map((entry) => entry.outcome)).toEqual(['RETRYING', 'DELIVERED', 'FAILED']);
  });
});
