import { Logger } from '@aws-lambda-powertools/logger';
import { IAMClient } from '@aws-sdk/client-iam';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { CloudFormationCustomResourceEvent, SecretsManagerRotationEvent } from 'aws-lambda';
import { z } from 'zod';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import { answerKeyCleanup } from './key-cleanup-resource';
import { rotateSignerKey, type SignerKeyRotationPorts } from './rotate-signer-key';

const envSchema = z.object({
  SIGNER_USER_NAME: z.string().min(1, { error: 'SIGNER_USER_NAME must name the signer IAM user' }),
  OLD_KEY_GRACE_SECONDS: z.coerce
    .number({ error: 'OLD_KEY_GRACE_SECONDS must be a number of seconds' })
    .int()
    .min(3600, { error: 'OLD_KEY_GRACE_SECONDS must be at least the shortest URL lifetime, 3600' }),
  AWS_REGION: z.string().min(1, { error: 'AWS_REGION must be set (Lambda sets it)' }),
});

let ports: SignerKeyRotationPorts | undefined;
const logger = new Logger({ serviceName: 'signer-key-rotation' });

const portsFromEnv = (): SignerKeyRotationPorts => {
  const env = readEnv(envSchema, process.env, {
    what: "The signer-key-rotation function's environment",
    fix: FUNCTION_ENV_FIX,
  });
  return {
    secrets: new SecretsManagerClient({ region: env.AWS_REGION }),
    iam: new IAMClient({ region: env.AWS_REGION }),
    userName: env.SIGNER_USER_NAME,
    oldKeyGraceSeconds: env.OLD_KEY_GRACE_SECONDS,
    callerArnOf: async (key) => {
      const sts = new STSClient({ region: env.AWS_REGION, credentials: key });
      return (await sts.send(new GetCallerIdentityCommand({}))).Arn;
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
  };
};

/** The Lambda entry: Secrets Manager's rotation steps, and the stack's key cleanup. */
export const handler = async (
  event: SecretsManagerRotationEvent | CloudFormationCustomResourceEvent,
): Promise<void> => {
  ports ??= portsFromEnv();
  if ('RequestType' in event) return await answerKeyCleanup(event, ports);
  const step = { step: event.Step, secretId: event.SecretId, version: event.ClientRequestToken };
  logger.info('rotation step', step);
  try {
    await rotateSignerKey(event, ports);
  } catch (error) {
    logger.error('rotation step failed', { ...step, error });
    throw error;
  }
};
