import { randomUUID } from 'node:crypto';
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type { SignerKeyRotationPorts } from '../../amplify/functions/signer-key-rotation/rotate-signer-key';
import { rotateSignerKey } from '../../amplify/functions/signer-key-rotation/rotate-signer-key';

export const SIGNER_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:VideoUrlSignerSecret-AbCdEf';
export const SIGNER_USER = 'render-studio-VideoUrlSigner-1A2B3C';

interface Version {
  value?: string;
  stages: string[];
  created: Date;
}

const notFound = (what: string) =>
  new ResourceNotFoundException({ message: `Secrets Manager can't find ${what}.`, $metadata: {} });

/**
 * One signer user and its secret, in memory, behind mocked Secrets Manager and IAM clients that
 * behave as the real ones do for the calls the rotation and the signer make: staging labels
 * move as Secrets Manager moves them, and IAM allows two keys per user.
 */
export const createFakeSignerAccount = ({ start }: { start: Date }) => {
  let now = start;
  const versions = new Map<string, Version>([
    // A fresh secret: CloudFormation's generated placeholder.
    [
      'v-initial',
      { value: 'k9#Xq2!generated-placeholder', stages: ['AWSCURRENT'], created: start },
    ],
  ]);
  const keys = new Map<string, string>();
  let keyCount = 0;

  const versionWithStage = (stage: string) =>
    [...versions.entries()].find(([, version]) => version.stages.includes(stage));
  const moveStage = (stage: string, to: string | undefined) => {
    for (const version of versions.values()) {
      version.stages = version.stages.filter((candidate) => candidate !== stage);
    }
    if (to) versions.get(to)!.stages.push(stage);
  };

  const secretsMock = mockClient(SecretsManagerClient);
  secretsMock.on(DescribeSecretCommand).callsFake(() => ({
    ARN: SIGNER_SECRET_ARN,
    RotationEnabled: true,
    VersionIdsToStages: Object.fromEntries(
      [...versions.entries()]
        .filter(([, version]) => version.stages.length > 0)
        .map(([id, version]) => [id, [...version.stages]]),
    ),
  }));
  secretsMock
    .on(GetSecretValueCommand)
    .callsFake((input: { VersionId?: string; VersionStage?: string }) => {
      const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
      const entry = input.VersionId
        ? ([input.VersionId, versions.get(input.VersionId)] as const)
        : versionWithStage(stage!);
      const [id, version] = entry ?? [];
      if (
        !id ||
        !version ||
        version.value === undefined ||
        (stage && !version.stages.includes(stage))
      ) {
        throw notFound(`a version ${input.VersionId ?? ''} with stage ${stage ?? ''}`);
      }
      return {
        ARN: SIGNER_SECRET_ARN,
        VersionId: id,
        SecretString: version.value,
        CreatedDate: version.created,
      };
    });
  secretsMock
    .on(PutSecretValueCommand)
    .callsFake(
      (input: { ClientRequestToken: string; SecretString: string; VersionStages: string[] }) => {
        const version = versions.get(input.ClientRequestToken) ?? { stages: [], created: now };
        versions.set(input.ClientRequestToken, {
          ...version,
          value: input.SecretString,
          created: now,
        });
        for (const stage of input.VersionStages) moveStage(stage, input.ClientRequestToken);
        return { ARN: SIGNER_SECRET_ARN, VersionId: input.ClientRequestToken };
      },
    );
  secretsMock
    .on(UpdateSecretVersionStageCommand)
    .callsFake(
      (input: { VersionStage: string; MoveToVersionId: string; RemoveFromVersionId?: string }) => {
        if (input.VersionStage === 'AWSCURRENT' && input.RemoveFromVersionId) {
          moveStage('AWSPREVIOUS', input.RemoveFromVersionId);
        }
        moveStage(input.VersionStage, input.MoveToVersionId);
        return { ARN: SIGNER_SECRET_ARN };
      },
    );

  const iamMock = mockClient(IAMClient);
  const checkUser = (userName: string) => {
    if (userName !== SIGNER_USER) {
      throw new NoSuchEntityException({
        message: `The user ${userName} cannot be found.`,
        $metadata: {},
      });
    }
  };
  iamMock.on(ListAccessKeysCommand).callsFake((input: { UserName: string }) => {
    checkUser(input.UserName);
    return {
      AccessKeyMetadata: [...keys.keys()].map((id) => ({ AccessKeyId: id, UserName: SIGNER_USER })),
    };
  });
  iamMock.on(CreateAccessKeyCommand).callsFake((input: { UserName: string }) => {
    checkUser(input.UserName);
    if (keys.size >= 2) {
      throw new LimitExceededException({
        message: 'Cannot exceed quota for AccessKeysPerUser: 2',
        $metadata: {},
      });
    }
    keyCount += 1;
    const id = `AKIAFAKESIGNERKEY${String(keyCount).padStart(3, '0')}`;
    keys.set(id, `secret-of-${id}-0123456789abcdef`);
    return {
      AccessKey: {
        AccessKeyId: id,
        SecretAccessKey: keys.get(id),
        UserName: SIGNER_USER,
        Status: 'Active',
      },
    };
  });
  iamMock
    .on(DeleteAccessKeyCommand)
    .callsFake((input: { UserName: string; AccessKeyId: string }) => {
      checkUser(input.UserName);
      if (!keys.delete(input.AccessKeyId)) {
        throw new NoSuchEntityException({
          message: `The Access Key ${input.AccessKeyId} cannot be found`,
          $metadata: {},
        });
      }
      return {};
    });

  const ports = (overrides: Partial<SignerKeyRotationPorts> = {}): SignerKeyRotationPorts => ({
    secrets: new SecretsManagerClient({ region: 'us-east-1' }),
    iam: new IAMClient({ region: 'us-east-1' }),
    userName: SIGNER_USER,
    oldKeyGraceSeconds: 7800,
    // STS answers for any key the user holds, as itself.
    callerArnOf: async (key) => {
      if (keys.get(key.accessKeyId) !== key.secretAccessKey) {
        throw Object.assign(new Error('The security token included in the request is invalid.'), {
          name: 'InvalidClientTokenId',
        });
      }
      return `arn:aws:iam::123456789012:user/${SIGNER_USER}`;
    },
    sleep: async () => {},
    now: () => now,
    ...overrides,
  });

  const startRotationOf = (): string => {
    const token = randomUUID();
    moveStage('AWSPENDING', undefined);
    versions.set(token, { stages: ['AWSPENDING'], created: now });
    return token;
  };

  return {
    secretsMock,
    iamMock,
    ports,
    /** Access key ids the user holds now. */
    userKeys: () => [...keys.keys()],
    /** The access key id in the version holding `stage`, if it holds a key. */
    keyAt: (stage: string): string | undefined => {
      const value = versionWithStage(stage)?.[1].value;
      try {
        return (JSON.parse(value ?? 'null') as { accessKeyId?: string } | null)?.accessKeyId;
      } catch {
        return undefined;
      }
    },
    setTime: (time: Date) => {
      now = time;
    },
    /** What RotateSecret does before it calls the function: a new AWSPENDING version, no value yet. */
    startRotation: startRotationOf,
    /** A whole rotation: RotateSecret, then the four steps in order. */
    rotate: async (portsOverrides: Partial<SignerKeyRotationPorts> = {}) => {
      const token = startRotationOf();
      const rotation = ports(portsOverrides);
      for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
        await rotateSignerKey(
          { Step: step, SecretId: SIGNER_SECRET_ARN, ClientRequestToken: token },
          rotation,
        );
      }
      return token;
    },
    restore: () => {
      secretsMock.restore();
      iamMock.restore();
    },
  };
};
