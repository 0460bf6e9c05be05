// Rotates the video-URL signer user's access key in its secret, one Secrets Manager step per call.
// Plain over injected clients: the handler passes the real ones, the unit tests mocks.
import {
  CreateAccessKeyCommand,
  DeleteAccessKeyCommand,
  type IAMClient,
  ListAccessKeysCommand,
} from '@aws-sdk/client-iam';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerRotationEvent } from 'aws-lambda';
import { parseSignerKey, type SignerKey } from '../video-url/signer-key';

/** What the rotation needs: the clients, the user whose key it rotates, and how long old keys live. */
export interface SignerKeyRotationPorts {
  secrets: Pick<SecretsManagerClient, 'send'>;
  iam: Pick<IAMClient, 'send'>;
  userName: string;
  /**
   * How long a key must keep working after it stops being AWSCURRENT: the longest URL lifetime
   * plus the signer's reload interval. A key younger than that as the replaced one is never deleted.
   */
  oldKeyGraceSeconds: number;
  /** Who AWS says the holder of `key` is (STS GetCallerIdentity signed with it). */
  callerArnOf: (key: SignerKey) => Promise<string | undefined>;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Tries of the new key while IAM propagates it, and the pause between them. */
  propagation?: { attempts: number; delayMs: number };
}

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';

const isNamed = (error: unknown, ...names: string[]) =>
  error instanceof Error && names.includes(error.name);

/** The secret's version `token` at stage AWSPENDING, if its value was written. */
const pendingValueOf = async (
  { secrets }: SignerKeyRotationPorts,
  secretId: string,
  token: string,
): Promise<string | undefined> => {
  try {
    const { SecretString } = await secrets.send(
      new GetSecretValueCommand({ SecretId: secretId, VersionId: token, VersionStage: PENDING }),
    );
    return SecretString;
  } catch (error) {
    if (isNamed(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
};

/**
 * Step 1: makes the new key and stores it as AWSPENDING. First deletes every key of the user but
 * the current one (IAM allows two), which is the key the previous rotation replaced: it was kept
 * until now so that URLs signed with it live out their lifetime.
 */
const createSecret = async (ports: SignerKeyRotationPorts, secretId: string, token: string) => {
  const { secrets, iam, userName } = ports;
  if (await pendingValueOf(ports, secretId, token)) return; // A retried step: already done.

  const current = await secrets.send(
    new GetSecretValueCommand({ SecretId: secretId, VersionStage: CURRENT }),
  );
  const currentKey = parseSignerKey(current.SecretString);
  // Before the first rotation the secret holds a generated placeholder, not a key.
  const keep = currentKey.ok ? currentKey.key.accessKeyId : undefined;
  const { AccessKeyMetadata = [] } = await iam.send(
    new ListAccessKeysCommand({ UserName: userName }),
  );
  const retiring = AccessKeyMetadata.map((key) => key.AccessKeyId).filter(
    (id): id is string => id !== undefined && id !== keep,
  );

  const currentSince = current.CreatedDate?.getTime() ?? 0;
  const currentForSeconds = (ports.now().getTime() - currentSince) / 1000;
  if (keep && retiring.length > 0 && currentForSeconds < ports.oldKeyGraceSeconds) {
    // An unscheduled rotation (a changed schedule, or "Rotate secret immediately"): the key to
    // delete may still back live URLs. Fail without changing anything; the schedule retries.
    throw new Error(
      `Not rotating the signer key yet: the current key has been current for ${Math.floor(currentForSeconds)} s, ` +
        `but the key it replaced (${retiring.join(', ')}) must keep working for ${ports.oldKeyGraceSeconds} s ` +
        'so that URLs signed with it stay valid, and IAM allows only two keys. The next scheduled rotation ' +
        'will succeed. To cut off a leaked key now, deactivate it in IAM (URLs signed with it stop working).',
    );
  }
  for (const id of retiring) {
    await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: id }));
  }
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  if (!AccessKey?.AccessKeyId || !AccessKey.SecretAccessKey) {
    throw new Error(
      `IAM CreateAccessKey for ${userName} returned no key: ${JSON.stringify(AccessKey)}`,
    );
  }
  const key: SignerKey = {
    accessKeyId: AccessKey.AccessKeyId,
    secretAccessKey: AccessKey.SecretAccessKey,
  };
  await secrets.send(
    new PutSecretValueCommand({
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: JSON.stringify(key),
      VersionStages: [PENDING],
    }),
  );
};

/** Step 3: the pending key signs as the signer user, once IAM has propagated it. */
const testSecret = async (ports: SignerKeyRotationPorts, secretId: string, token: string) => {
  const parsed = parseSignerKey(await pendingValueOf(ports, secretId, token));
  if (!parsed.ok) {
    throw new Error(
      `The pending version ${token} of ${secretId} holds no signer key: ${parsed.problem}.`,
    );
  }
  const { attempts, delayMs } = ports.propagation ?? { attempts: 10, delayMs: 3000 };
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    let arn: string | undefined;
    try {
      arn = await ports.callerArnOf(parsed.key);
    } catch (error) {
      // A new key is refused (InvalidClientTokenId) for a few seconds while IAM propagates it.
      lastError = error;
      if (attempt < attempts) await ports.sleep(delayMs);
      continue;
    }
    if (!arn?.endsWith(`/${ports.userName}`)) {
      throw new Error(`The pending key signs as ${arn}, not as the signer user ${ports.userName}.`);
    }
    return;
  }
  throw new Error(
    `The pending key ${parsed.key.accessKeyId} was still refused after ${attempts} tries ` +
      `${delayMs} ms apart; the rotation will be retried. Last error: ${String(lastError)}`,
  );
};

/** Step 4: the pending version becomes AWSCURRENT; Secrets Manager marks the old one AWSPREVIOUS. */
const finishSecret = async (
  { secrets }: SignerKeyRotationPorts,
  secretId: string,
  token: string,
  versions: Record<string, string[]>,
) => {
  const currentVersion = Object.entries(versions).find(([, stages]) =>
    stages.includes(CURRENT),
  )?.[0];
  if (currentVersion === token) return;
  await secrets.send(
    new UpdateSecretVersionStageCommand({
      SecretId: secretId,
      VersionStage: CURRENT,
      MoveToVersionId: token,
      RemoveFromVersionId: currentVersion,
    }),
  );
};

/** Runs one step of a Secrets Manager rotation of the signer key (the four-step protocol). */
export const rotateSignerKey = async (
  { Step: step, SecretId: secretId, ClientRequestToken: token }: SecretsManagerRotationEvent,
  ports: SignerKeyRotationPorts,
): Promise<void> => {
  const secret = await ports.secrets.send(new DescribeSecretCommand({ SecretId: secretId }));
  if (!secret.RotationEnabled) {
    throw new Error(`Secret ${secretId} does not have rotation enabled, so it is not rotated.`);
  }
  const versions = secret.VersionIdsToStages ?? {};
  const stages = versions[token];
  if (!stages) {
    throw new Error(`Secret ${secretId} has no version ${token} to rotate to.`);
  }
  if (stages.includes(CURRENT)) return; // This rotation already finished.
  if (!stages.includes(PENDING)) {
    throw new Error(
      `Version ${token} of ${secretId} must be AWSPENDING to rotate, but is ${stages.join(', ')}.`,
    );
  }
  switch (step) {
    case 'createSecret':
      return await createSecret(ports, secretId, token);
    case 'setSecret':
      return; // IAM made the key live when it created it.
    case 'testSecret':
      return await testSecret(ports, secretId, token);
    case 'finishSecret':
      return await finishSecret(ports, secretId, token, versions);
    default:
      throw new Error(
        `Unknown rotation step ${JSON.stringify(step)}: expected createSecret, setSecret, testSecret or finishSecret.`,
      );
  }
};

/** Deletes every access key of the user, so CloudFormation can delete the user with its stack. */
export const deleteSignerKeys = async ({
  iam,
  userName,
}: Pick<SignerKeyRotationPorts, 'iam' | 'userName'>): Promise<string[]> => {
  let ids: string[];
  try {
    const { AccessKeyMetadata = [] } = await iam.send(
      new ListAccessKeysCommand({ UserName: userName }),
    );
    ids = AccessKeyMetadata.map((key) => key.AccessKeyId).filter(
      (id): id is string => id !== undefined,
    );
  } catch (error) {
    if (isNamed(error, 'NoSuchEntityException', 'NoSuchEntity')) return [];
    throw error;
  }
  for (const id of ids) {
    await iam.send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: id }));
  }
  return ids;
};
