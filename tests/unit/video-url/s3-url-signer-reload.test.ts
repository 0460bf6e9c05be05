import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createS3UrlSigner } from '../../../amplify/functions/video-url/s3-url-signer';
import { SIGNER_KEY_RELOAD_SECONDS } from '../../../amplify/functions/video-url/signer-key';
import { createFakeSignerAccount, SIGNER_SECRET_ARN } from '../../support/fake-signer-account';

const START = new Date('2030-01-01T00:00:00Z');
const HOUR_MS = 3_600_000;

/** The access key id a presigned URL was signed with. */
const keyOfUrl = (url: string): string =>
  new URL(url).searchParams.get('X-Amz-Credential')!.split('/')[0]!;

describe('createS3UrlSigner after a rotation', () => {
  let account: ReturnType<typeof createFakeSignerAccount>;
  let clock: number;
  beforeEach(async () => {
    account = createFakeSignerAccount({ start: START });
    clock = START.getTime();
    await account.rotate(); // the first key
  });
  afterEach(() => account.restore());

  const signerOnTheFakeAccount = () =>
    createS3UrlSigner({
      bucket: 'outputs-bucket',
      region: 'us-east-1',
      secretArn: SIGNER_SECRET_ARN,
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      now: () => clock,
    });
  const request = () => ({
    key: 'renders/sub-1/job-1.mp4',
    expiresAt: new Date(clock + 2 * HOUR_MS),
  });
  // The rotation reads by version or stage; the signer reads the secret by its id alone.
  const signerReads = () =>
    account.secretsMock
      .commandCalls(GetSecretValueCommand)
      .filter(({ args: [command] }) => !command.input.VersionId && !command.input.VersionStage);
  const advance = (ms: number) => {
    clock += ms;
    account.setTime(new Date(clock));
  };

  it('signs with the new key once its cached key is older than the reload interval', async () => {
    const sign = signerOnTheFakeAccount();
    const first = keyOfUrl(await sign(request()));
    await account.rotate();
    const rotated = account.keyAt('AWSCURRENT')!;

    advance(SIGNER_KEY_RELOAD_SECONDS * 1000 - 1);
    const beforeReload = keyOfUrl(await sign(request()));
    advance(1);
    const afterReload = keyOfUrl(await sign(request()));

    expect(rotated).not.toBe(first);
    expect(beforeReload).toBe(first); // still valid: the replaced key lives until the next rotation
    expect(account.userKeys()).toContain(first);
    expect(afterReload).toBe(rotated);
    expect(signerReads()).toHaveLength(2);
  });

  it('reads the secret again at once when told to reload', async () => {
    const sign = signerOnTheFakeAccount();
    await sign(request());
    await account.rotate();

    sign.reload();

    expect(keyOfUrl(await sign(request()))).toBe(account.keyAt('AWSCURRENT'));
  });

  it('keeps signing with the cached key when re-reading the secret fails, and retries next time', async () => {
    const sign = signerOnTheFakeAccount();
    const first = keyOfUrl(await sign(request()));
    await account.rotate();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    advance(SIGNER_KEY_RELOAD_SECONDS * 1000);
    account.secretsMock
      .on(GetSecretValueCommand, { SecretId: SIGNER_SECRET_ARN })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const duringOutage = keyOfUrl(await sign(request()));

    expect(duringOutage).toBe(first);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('signing with the cached key'),
      expect.anything(),
    );
    warn.mockRestore();
  });

  it('reads the secret once for calls that arrive together', async () => {
    const sign = signerOnTheFakeAccount();

    await Promise.all([sign(request()), sign(request()), sign(request())]);

    expect(signerReads()).toHaveLength(1);
  });
});

describe('createS3UrlSigner without a rotation', () => {
  const mockSecrets = () => mockClient(SecretsManagerClient);
  let secrets: ReturnType<typeof mockSecrets>;
  beforeEach(() => {
    secrets = mockSecrets();
  });
  afterEach(() => secrets.restore());

  it('says the first rotation may still be running while the secret holds the placeholder', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'k9#Xq2!generated-placeholder' });
    const sign = createS3UrlSigner({
      bucket: 'b',
      region: 'us-east-1',
      secretArn: SIGNER_SECRET_ARN,
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    });

    await expect(
      sign({ key: 'renders/a/b.mp4', expiresAt: new Date(Date.now() + HOUR_MS) }),
    ).rejects.toThrow(
      /it is not JSON\. Right after the first deploy its first rotation may still be running/,
    );
  });

  it('reads the secret once while the key is fresh', async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        accessKeyId: 'AKIAEXAMPLEUSERKEY01',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      }),
    });
    let clock = START.getTime();
    const sign = createS3UrlSigner({
      bucket: 'b',
      region: 'us-east-1',
      secretArn: SIGNER_SECRET_ARN,
      secrets: new SecretsManagerClient({ region: 'us-east-1' }),
      now: () => clock,
    });

    for (let call = 0; call < 5; call += 1) {
      await sign({ key: 'renders/a/b.mp4', expiresAt: new Date(clock + HOUR_MS) });
      clock += 30_000;
    }

    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });
});
