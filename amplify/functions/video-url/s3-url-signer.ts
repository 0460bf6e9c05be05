import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { z } from 'zod';

const signerKeySchema = z.object({
  accessKeyId: z.string().min(16, { error: 'accessKeyId must be an IAM access key id' }),
  secretAccessKey: z.string().min(16, { error: 'secretAccessKey must be an IAM secret key' }),
});

/**
 * Signs S3 GETs with the long-lived key of the dedicated signer IAM user (kept in Secrets
 * Manager), not with this Lambda's role: a URL signed with the role's session credentials stops
 * working when that session expires, often well before the hour we promise.
 */
export const createS3UrlSigner = ({
  bucket,
  region,
  secretArn,
  secrets = new SecretsManagerClient({ region }),
}: {
  bucket: string;
  region: string;
  secretArn: string;
  secrets?: Pick<SecretsManagerClient, 'send'>;
}) => {
  let client: Promise<S3Client> | undefined;
  const loadClient = async (): Promise<S3Client> => {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const parsed = signerKeySchema.safeParse(JSON.parse(SecretString ?? 'null'));
    if (!parsed.success) {
      throw new Error(
        `Secret ${secretArn} must hold {"accessKeyId","secretAccessKey"}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
      );
    }
    return new S3Client({ region, credentials: parsed.data });
  };
  return async ({ key, expiresAt }: { key: string; expiresAt: Date }): Promise<string> => {
    client ??= loadClient().catch((error: unknown) => {
      client = undefined; // A failed load is retried on the next call.
      throw error;
    });
    const expiresIn = Math.ceil((expiresAt.getTime() - Date.now()) / 1000);
    return await getSignedUrl(
      await client,
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentType: 'video/mp4' }),
      { expiresIn },
    );
  };
};
