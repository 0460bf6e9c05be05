import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobStoreForEndpoint } from '../../../amplify/functions/render-worker/appsync-job-store';
import { startFakeAppSync } from '../../support/worker-fakes';

describe('job store for an explicit endpoint (local mode)', () => {
  let appSync: Awaited<ReturnType<typeof startFakeAppSync>>;
  const answers: unknown[] = [];
  beforeAll(async () => {
    appSync = await startFakeAppSync(() => answers.shift());
  });
  afterAll(() => appSync.close());

  it('signs requests with the given credentials (IAM) and maps a lost condition to false', async () => {
    const store = createJobStoreForEndpoint({
      graphqlUrl: appSync.url,
      region: 'us-east-1',
      credentials: {
        accessKeyId: 'AKIDLOCAL',
        secretAccessKey: 'local-secret',
        sessionToken: 'local-token',
      },
    });
    answers.push(
      { data: { updateJob: { id: 'job-1', owner: 'sub::alice' } } },
      {
        data: { updateJob: null },
        errors: [
          {
            errorType: 'DynamoDB:ConditionalCheckFailedException',
            message: 'The conditional request failed',
          },
        ],
      },
      {
        data: {
          getJob: {
            id: 'job-1',
            owner: 'sub::alice',
            compositionId: 'hello',
            inputProps: '{"a":1}',
            status: 'RENDERING',
          },
        },
      },
    );

    expect(
      await store.update('job-1', { status: 'RENDERING', renderId: 'r' }, { progress: 0.3 }),
    ).toBe(true);
    expect(
      await store.update('job-1', { status: 'RENDERING', renderId: 'r' }, { progress: 0.4 }),
    ).toBe(false);
    expect(await store.get('job-1')).toMatchObject({
      id: 'job-1',
      status: 'RENDERING',
      inputProps: { a: 1 },
    });

    const [first] = appSync.requests;
    expect(first!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/us-east-1\/appsync\/aws4_request/,
    );
    expect(first!.headers['x-amz-security-token']).toBe('local-token');
    expect(first!.body.query).toMatch(
      /updateJob\(input: \$input, condition: \$condition\) \{\s+id\s+owner\s/,
    );
    expect(first!.body.variables).toEqual({
      input: { id: 'job-1', progress: 0.3 },
      condition: { and: [{ status: { eq: 'RENDERING' } }, { renderId: { eq: 'r' } }] },
    });
  });
});
