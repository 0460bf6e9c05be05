import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoJobLoader } from '../../../amplify/functions/video-url/dynamo-job-loader';
import { createS3UrlSigner } from '../../../amplify/functions/video-url/s3-url-signer';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:signer-AbCdEf';
const USER_KEY = {
  accessKeyId: 'AKIAEXAMPLEUSERKEY01',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

describe('createS3UrlSigner', () => {
  const secrets = mockClient(SecretsManagerClient);
  afterEach(() => secrets.reset());

  it("signs with the signer user's long-lived key, for the requested lifetime, without a session token", async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify(USER_KEY) });
    const sign = createS3UrlSigner({
      bucket: 'outputs-bucket',
      region: 'us-east-1',
      secretArn: SECRET_ARN,
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    });

    const url = new URL(
      await sign({
        key: 'renders/sub-1/job-1.mp4',
        expiresAt: new Date(Date.now() + 2 * 3600 * 1000),
      }),
    );
    await sign({ key: 'renders/sub-1/job-2.mp4', expiresAt: new Date(Date.now() + 3600 * 1000) });

    expect(url.hostname).toBe('outputs-bucket.s3.us-east-1.amazonaws.com');
    expect(url.pathname).toBe('/renders/sub-1/job-1.mp4');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIAEXAMPLEUSERKEY01\//);
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeGreaterThanOrEqual(2 * 3600 - 1);
    expect(url.searchParams.has('X-Amz-Security-Token')).toBe(false);
    expect(url.searchParams.get('response-content-type')).toBe('video/mp4');
    // The key is fetched once and reused.
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('says what the secret must hold when it is malformed, and retries the load next time', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: '{"accessKeyId":"x"}' })
      .resolves({ SecretString: JSON.stringify(USER_KEY) });
    const sign = createS3UrlSigner({
      bucket: 'b',
      region: 'us-east-1',
      secretArn: SECRET_ARN,
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    });
    const request = { key: 'renders/a/b.mp4', expiresAt: new Date(Date.now() + 3600 * 1000) };

    await expect(sign(request)).rejects.toThrow(/must hold \{"accessKeyId","secretAccessKey"\}/);
    await expect(sign(request)).resolves.toMatch(/^https:\/\//);
  });
});

describe('createDynamoJobLoader', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  afterEach(() => dynamo.reset());

  it('reads the job by id, consistently, and maps it', async () => {
    dynamo.on(GetCommand).resolves({
      Item: {
        id: 'job-1',
        owner: 'sub-1::dora',
        status: 'SUCCEEDED',
        outputKey: 'renders/sub-1/job-1.mp4',
        posterKey: 'renders/sub-1/job-1.poster.jpeg',
        expiresAt: '2026-02-01T00:00:00.000Z',
      },
    });
    const load = createDynamoJobLoader({
      tableName: 'Job-abc-NONE',
      client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    });

    await expect(load('job-1')).resolves.toEqual({
      id: 'job-1',
      owner: 'sub-1::dora',
      status: 'SUCCEEDED',
      outputKey: 'renders/sub-1/job-1.mp4',
      posterKey: 'renders/sub-1/job-1.poster.jpeg',
      expiresAt: '2026-02-01T00:00:00.000Z',
      expiredAt: null,
    });
    expect(dynamo.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      TableName: 'Job-abc-NONE',
      Key: { id: 'job-1' },
      ConsistentRead: true,
    });
  });

  it('returns undefined for an unknown job', async () => {
    dynamo.on(GetCommand).resolves({});
    const load = createDynamoJobLoader({
      tableName: 'Job',
      client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    });
    await expect(load('nope')).resolves.toBeUndefined();
  });
});
