// The remotion-webhook Lambda's log line names the job and the render it woke as fields (jobId, renderId), so one
// Logs Insights query on a job id follows the job through this function too (issue: structured logs everywhere).
import { createHmac } from 'node:crypto';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const SECRET = 's'.repeat(64);
const QUEUE_URL = 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-queue';

const signedEvent = (payload: unknown): LambdaFunctionURLEvent => {
  const body = JSON.stringify(payload);
  return {
    body,
    isBase64Encoded: false,
    headers: {
      'x-remotion-signature': `sha512=${createHmac('sha512', SECRET).update(body).digest('hex')}`,
    },
    requestContext: { http: { method: 'POST' } },
  } as unknown as LambdaFunctionURLEvent;
};

describe('the remotion-webhook log line', () => {
  const secrets = mockClient(SecretsManagerClient);
  const sqs = mockClient(SQSClient);

  beforeAll(() => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    vi.stubEnv('AWS_REGION', 'eu-central-1');
    vi.stubEnv('POWERTOOLS_DEV', 'false');
    vi.stubEnv('WAKE_QUEUE_URL', QUEUE_URL);
    vi.stubEnv(
      'REMOTION_WEBHOOK_SECRET_ARN',
      'arn:aws:secretsmanager:eu-central-1:123456789012:secret:webhook-AbC',
    );
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    secrets.restore();
    sqs.restore();
  });

  it('carries the woken job and render as fields', async () => {
    const { handler } = await import('../../../amplify/functions/remotion-webhook/handler');
    const written: string[] = [];
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });

    const response = await handler(
      signedEvent({ type: 'success', renderId: 'render-9', customData: { jobId: 'job-9' } }),
    );
    stdout.mockRestore();

    expect(response).toMatchObject({ statusCode: 202 });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
    const lines = written
      .join('')
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        service: 'remotion-webhook',
        message: 'Remotion webhook answered',
        jobId: 'job-9',
        renderId: 'render-9',
        statusCode: 202,
      }),
    );
  });
});
