import { createHmac } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  receiveRemotionWebhook,
  type RenderEnded,
  type WebhookRequest,
} from '../../../amplify/functions/remotion-webhook/receive-remotion-webhook';
import { createSqsJobWaker } from '../../../amplify/functions/remotion-webhook/sqs-job-waker';
import { createWebhookSecretReader } from '../../../amplify/functions/remotion-webhook/webhook-secret';
import { startLocalWebhookServer } from '../../../local/remotion-webhook/local-webhook-server';
import { createRenderEndedNotifier } from '../../../local/remotion-webhook/notify-render-ended';

const SECRET = 's'.repeat(64);

// Signed as Remotion documents it: `sha512=` + hex HMAC-SHA512 of the JSON body with the secret.
const signed = (payload: unknown, secret = SECRET): WebhookRequest => {
  const body = JSON.stringify(payload);
  return {
    method: 'POST',
    headers: {
      'x-remotion-signature': `sha512=${createHmac('sha512', secret).update(body).digest('hex')}`,
    },
    body,
  };
};

const successPayload = (overrides: Record<string, unknown> = {}) => ({
  type: 'success',
  renderId: 'render-1',
  bucketName: 'remotionlambda-x',
  expectedBucketOwner: null,
  customData: { jobId: 'job-1' },
  outputUrl: 'https://example.com/out.mp4',
  ...overrides,
});

const receive = async (request: WebhookRequest) => {
  const woken: RenderEnded[] = [];
  const response = await receiveRemotionWebhook(request, {
    secret: SECRET,
    wake: async (ended) => {
      woken.push(ended);
    },
  });
  return {
    ...response,
    message: (JSON.parse(response.body) as { message: string }).message,
    woken,
  };
};

describe("receiveRemotionWebhook (Remotion's render-finished call)", () => {
  it.each(['success', 'error', 'timeout'])(
    'wakes the job of a validly signed %s payload',
    async (type) => {
      const { statusCode, woken } = await receive(signed(successPayload({ type })));
      expect(statusCode).toBe(202);
      expect(woken).toEqual([{ jobId: 'job-1', renderId: 'render-1', outcome: type }]);
    },
  );

  it('refuses a missing signature with 401 and wakes nothing', async () => {
    const request = signed(successPayload());
    const { statusCode, message, woken } = await receive({ ...request, headers: {} });
    expect(statusCode).toBe(401);
    expect(message).toMatch(/x-remotion-signature header is missing/);
    expect(woken).toEqual([]);
  });

  it("refuses Remotion's placeholder for no secret with 401", async () => {
    const request = signed(successPayload());
    const { statusCode, woken } = await receive({
      ...request,
      headers: { 'x-remotion-signature': 'NO_SECRET_PROVIDED' },
    });
    expect(statusCode).toBe(401);
    expect(woken).toEqual([]);
  });

  it('refuses a signature made with another secret, and a tampered body, with 401', async () => {
    const wrongSecret = await receive(signed(successPayload(), 'another-secret'));
    expect(wrongSecret.statusCode).toBe(401);
    expect(wrongSecret.woken).toEqual([]);
    const request = signed(successPayload());
    const tampered = await receive({
      ...request,
      body: request.body!.replace('job-1', 'job-2'),
    });
    expect(tampered.statusCode).toBe(401);
    expect(tampered.message).toMatch(/signature does not match/);
    expect(tampered.woken).toEqual([]);
  });

  it('answers 400 with what was expected for a body that is not JSON', async () => {
    const { statusCode, message, woken } = await receive({
      method: 'POST',
      headers: { 'x-remotion-signature': 'sha512=00' },
      body: 'not json',
    });
    expect(statusCode).toBe(400);
    expect(message).toBe('The body must be the JSON payload Remotion sends, but it is not JSON.');
    expect(woken).toEqual([]);
  });

  it('answers 400 naming the bad field for a signed payload of the wrong shape', async () => {
    const { statusCode, message, woken } = await receive(
      signed(successPayload({ type: 'finished', renderId: 42 })),
    );
    expect(statusCode).toBe(400);
    expect(message).toMatch(/type must be "success", "error" or "timeout", but got "finished"/);
    expect(message).toMatch(/renderId must be a string/);
    expect(woken).toEqual([]);
  });

  it('answers 405 for anything but POST', async () => {
    const { statusCode, woken } = await receive({ ...signed(successPayload()), method: 'GET' });
    expect(statusCode).toBe(405);
    expect(woken).toEqual([]);
  });

  it('wakes nothing for a render that names no job (not started by this studio), and says so', async () => {
    const { statusCode, message, woken } = await receive(
      signed(successPayload({ renderId: 'unknown-render', customData: null })),
    );
    expect(statusCode).toBe(202);
    expect(message).toBe('Render unknown-render names no job; nothing to wake.');
    expect(woken).toEqual([]);
  });
});

describe('the wake-up and the secret (AWS adapters)', () => {
  const sqs = mockClient(SQSClient);
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => {
    sqs.reset();
    secrets.reset();
  });

  it('sends { jobId, wakeFor } to the wake-up queue with no delay', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    await createSqsJobWaker({ client: new SQSClient({}), queueUrl: 'https://sqs/q' })({
      jobId: 'job-1',
      renderId: 'render-1',
      outcome: 'success',
    });
    expect(sqs.commandCalls(SendMessageCommand).map((call) => call.args[0].input)).toEqual([
      {
        QueueUrl: 'https://sqs/q',
        MessageBody: JSON.stringify({ jobId: 'job-1', wakeFor: 'render-1' }),
        DelaySeconds: 0,
      },
    ]);
  });

  it('reads the secret once, and refuses one too short to be the generated secret', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    const read = createWebhookSecretReader({
      secrets: new SecretsManagerClient({}),
      secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:w',
    });
    expect(await read()).toBe(SECRET);
    expect(await read()).toBe(SECRET);
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    const readShort = createWebhookSecretReader({
      secrets: new SecretsManagerClient({}),
      secretArn: 'arn:aws:secretsmanager:us-east-1:1:secret:w',
    });
    await expect(readShort()).rejects.toThrow(/at least 32 characters, but holds 5/);
  });
});

describe("the local endpoint, called with Remotion's own invokeWebhook", () => {
  it('wakes the job on a valid call, and Remotion gives up on a wrong secret (401) without waking', async () => {
    const woken: RenderEnded[] = [];
    const server = await startLocalWebhookServer({
      secret: SECRET,
      wake: async (ended) => {
        woken.push(ended);
      },
    });
    try {
      const notify = createRenderEndedNotifier({
        url: server.url,
        secret: SECRET,
        bucketName: 'local-outputs',
      });
      await notify({
        state: 'done',
        renderId: 'render-1',
        jobId: 'job-1',
        outputKey: 'renders/sub/job-1.mp4',
        startedAtMs: Date.now(),
      });
      expect(woken).toEqual([{ jobId: 'job-1', renderId: 'render-1', outcome: 'success' }]);

      const forged = createRenderEndedNotifier({
        url: server.url,
        secret: 'x'.repeat(64),
        bucketName: 'local-outputs',
      });
      const failed = forged({
        state: 'failed',
        renderId: 'render-2',
        jobId: 'job-2',
        message: 'boom',
      });
      await expect(failed).rejects.toThrow(/status code 401/);
      expect(woken).toHaveLength(1);
    } finally {
      await server.stop();
    }
  }, 20_000);
});
