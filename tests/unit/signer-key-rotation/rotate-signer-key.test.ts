import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { answerKeyCleanup } from '../../../amplify/functions/signer-key-rotation/key-cleanup-resource';
import { rotateSignerKey } from '../../../amplify/functions/signer-key-rotation/rotate-signer-key';
import {
  createFakeSignerAccount,
  SIGNER_SECRET_ARN,
  SIGNER_USER,
} from '../../support/fake-signer-account';

const DAY_MS = 86_400_000;
const START = new Date('2030-01-01T00:00:00Z');
const at = (days: number) => new Date(START.getTime() + days * DAY_MS);

describe('rotateSignerKey', () => {
  let account: ReturnType<typeof createFakeSignerAccount>;
  beforeEach(() => {
    account = createFakeSignerAccount({ start: START });
  });
  afterEach(() => account.restore());

  it("makes the first key when the secret holds CloudFormation's placeholder", async () => {
    await account.rotate();

    const [key] = account.userKeys();
    expect(account.userKeys()).toHaveLength(1);
    expect(account.keyAt('AWSCURRENT')).toBe(key);
    expect(account.iamMock.commandCalls(DeleteAccessKeyCommand)).toHaveLength(0);
  });

  it('keeps the replaced key until the next rotation, then deletes it and nothing else', async () => {
    await account.rotate(); // day 0: K1
    const first = account.keyAt('AWSCURRENT')!;
    account.setTime(at(30));
    await account.rotate(); // K2 current, K1 still valid for URLs it signed
    const second = account.keyAt('AWSCURRENT')!;

    expect(second).not.toBe(first);
    expect(account.keyAt('AWSPREVIOUS')).toBe(first);
    expect(account.userKeys().sort()).toEqual([first, second].sort());

    account.setTime(at(60));
    await account.rotate();
    const third = account.keyAt('AWSCURRENT')!;

    expect(account.userKeys().sort()).toEqual([second, third].sort());
    expect(
      account.iamMock.commandCalls(DeleteAccessKeyCommand).map((call) => call.args[0].input),
    ).toEqual([{ UserName: SIGNER_USER, AccessKeyId: first }]);
  });

  it('does nothing when createSecret is retried after it stored the pending key', async () => {
    const token = account.startRotation();
    const createSecret = {
      Step: 'createSecret',
      SecretId: SIGNER_SECRET_ARN,
      ClientRequestToken: token,
    } as const;
    await rotateSignerKey(createSecret, account.ports());
    const keysAfterFirst = account.userKeys();

    await rotateSignerKey(createSecret, account.ports());

    expect(account.userKeys()).toEqual(keysAfterFirst);
    expect(account.secretsMock.commandCalls(PutSecretValueCommand)).toHaveLength(1);
    expect(account.iamMock.commandCalls(CreateAccessKeyCommand)).toHaveLength(1);
  });

  it('refuses an unscheduled rotation that would delete a key URLs may still use, changing nothing', async () => {
    await account.rotate(); // day 0
    account.setTime(at(30));
    await account.rotate(); // day 30: replaced key K1 is kept
    const keysBefore = account.userKeys().sort();
    account.setTime(new Date(at(30).getTime() + 3600_000)); // "Rotate secret immediately", an hour later

    await expect(account.rotate({ oldKeyGraceSeconds: 7800 })).rejects.toThrow(
      /current for 3600 s, but the key it replaced \(AKIA\w+\) must keep working for 7800 s/,
    );

    expect(account.userKeys().sort()).toEqual(keysBefore);
  });

  it('rotates unscheduled when no replaced key would be deleted', async () => {
    await account.rotate(); // day 0, only K1
    account.setTime(new Date(START.getTime() + 60_000));

    await account.rotate();

    expect(account.userKeys()).toHaveLength(2);
  });

  it('tests the pending key until IAM has propagated it, then finishes', async () => {
    let refusals = 2;
    const sleeps: number[] = [];
    const ports = account.ports();

    await account.rotate({
      callerArnOf: async (key) => {
        if (refusals > 0) {
          refusals -= 1;
          throw Object.assign(new Error('invalid token'), { name: 'InvalidClientTokenId' });
        }
        return await ports.callerArnOf(key);
      },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      propagation: { attempts: 5, delayMs: 2000 },
    });

    expect(sleeps).toEqual([2000, 2000]);
    expect(account.keyAt('AWSCURRENT')).toBe(account.userKeys()[0]);
  });

  it('fails the test step, leaving AWSCURRENT alone, when the key is never accepted', async () => {
    await expect(
      account.rotate({
        callerArnOf: async () => {
          throw Object.assign(new Error('invalid token'), { name: 'InvalidClientTokenId' });
        },
        propagation: { attempts: 3, delayMs: 1 },
      }),
    ).rejects.toThrow(/still refused after 3 tries/);

    expect(account.keyAt('AWSCURRENT')).toBeUndefined(); // still the placeholder
  });

  it('fails the test step when the key signs as someone else', async () => {
    await expect(
      account.rotate({ callerArnOf: async () => 'arn:aws:iam::123456789012:user/intruder' }),
    ).rejects.toThrow(/signs as arn:aws:iam::123456789012:user\/intruder, not as the signer user/);
  });

  it('refuses a secret without rotation, and a version that is not pending', async () => {
    const secrets = mockClient(SecretsManagerClient);
    try {
      const ports = account.ports({ secrets: new SecretsManagerClient({ region: 'us-east-1' }) });
      const event = {
        Step: 'createSecret',
        SecretId: SIGNER_SECRET_ARN,
        ClientRequestToken: 't1',
      } as const;

      secrets.on(DescribeSecretCommand).resolves({ RotationEnabled: false });
      await expect(rotateSignerKey(event, ports)).rejects.toThrow(/does not have rotation enabled/);

      secrets
        .on(DescribeSecretCommand)
        .resolves({ RotationEnabled: true, VersionIdsToStages: { t1: ['AWSPREVIOUS'] } });
      await expect(rotateSignerKey(event, ports)).rejects.toThrow(
        /must be AWSPENDING to rotate, but is AWSPREVIOUS/,
      );

      secrets.on(DescribeSecretCommand).resolves({
        RotationEnabled: true,
        VersionIdsToStages: { t1: ['AWSCURRENT', 'AWSPENDING'] },
      });
      await expect(rotateSignerKey(event, ports)).resolves.toBeUndefined(); // already finished
      expect(secrets.calls()).toHaveLength(3);
    } finally {
      secrets.restore();
    }
  });
});

describe('answerKeyCleanup', () => {
  const mockIam = () => mockClient(IAMClient);
  let iam: ReturnType<typeof mockIam>;
  beforeEach(() => {
    iam = mockIam();
  });
  afterEach(() => iam.restore());

  const eventOf = (
    requestType: 'Create' | 'Update' | 'Delete',
    userName = SIGNER_USER,
  ): CloudFormationCustomResourceEvent =>
    ({
      RequestType: requestType,
      ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:rotation',
      ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/signed',
      StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/storage/1',
      RequestId: 'request-1',
      LogicalResourceId: 'VideoUrlSignerKeyCleanup',
      ResourceType: 'Custom::SignerKeyCleanup',
      PhysicalResourceId: 'signer-key-cleanup',
      ResourceProperties: { ServiceToken: 'x', UserName: userName },
    }) as CloudFormationCustomResourceEvent;

  /** A stand-in for fetch that records what CloudFormation would receive. */
  const cloudFormation = () => {
    const bodies: { Status: string; Reason: string; PhysicalResourceId: string }[] = [];
    const put = (async (_url: string, init: { body: string }) => {
      bodies.push(JSON.parse(init.body) as (typeof bodies)[number]);
      return new Response('', { status: 200 });
    }) as unknown as typeof fetch;
    return { put, bodies };
  };
  const rotation = () => ({ iam: new IAMClient({ region: 'us-east-1' }), userName: SIGNER_USER });

  it('deletes every key of the signer user when the stack deletes it, so the user can go', async () => {
    iam.on(ListAccessKeysCommand).resolves({
      AccessKeyMetadata: [
        { AccessKeyId: 'AKIAKEYONE0000000001' },
        { AccessKeyId: 'AKIAKEYTWO0000000002' },
      ],
    });
    iam.on(DeleteAccessKeyCommand).resolves({});
    const { put, bodies } = cloudFormation();

    await answerKeyCleanup(eventOf('Delete'), rotation(), put);

    expect(
      iam.commandCalls(DeleteAccessKeyCommand).map((call) => call.args[0].input.AccessKeyId),
    ).toEqual(['AKIAKEYONE0000000001', 'AKIAKEYTWO0000000002']);
    expect(bodies).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: 'signer-key-cleanup' }),
    ]);
  });

  it('touches no key on Create, nor on a Delete naming another user', async () => {
    const { put, bodies } = cloudFormation();

    await answerKeyCleanup(eventOf('Create'), rotation(), put);
    await answerKeyCleanup(eventOf('Delete', 'some-other-user'), rotation(), put);

    expect(iam.calls()).toHaveLength(0);
    expect(bodies.map((body) => body.Status)).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('reports FAILED to CloudFormation, with the reason, when IAM refuses', async () => {
    iam
      .on(ListAccessKeysCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDenied' }));
    const { put, bodies } = cloudFormation();

    await answerKeyCleanup(eventOf('Delete'), rotation(), put);

    expect(bodies[0]).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringContaining('not allowed'),
    });
  });
});
