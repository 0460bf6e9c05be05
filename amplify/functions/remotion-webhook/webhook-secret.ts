import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Remotion's webhook secret: at least this many characters, as the generated one has. */
export const MIN_WEBHOOK_SECRET_LENGTH = 32;

/**
 * Reads the Remotion webhook secret from Secrets Manager once per cold start: the render worker passes it to
 * `renderMediaOnLambda`, the webhook endpoint checks signatures with it.
 */
export const createWebhookSecretReader = ({
  secrets,
  secretArn,
}: {
  secrets: Pick<SecretsManagerClient, 'send'>;
  secretArn: string;
}): (() => Promise<string>) => {
  let cached: Promise<string> | undefined;
  const read = async () => {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!SecretString || SecretString.length < MIN_WEBHOOK_SECRET_LENGTH)
      throw new Error(
        `Secret ${secretArn} must hold a webhook secret of at least ${MIN_WEBHOOK_SECRET_LENGTH} characters, ` +
          `but holds ${SecretString ? `${SecretString.length}` : 'none'}. Redeploy the backend to generate it.`,
      );
    return SecretString;
  };
  return () => {
    cached ??= read().catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    return cached;
  };
};
