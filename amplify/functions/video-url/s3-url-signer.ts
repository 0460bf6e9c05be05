import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { parseSignerKey, SIGNER_KEY_RELOAD_SECONDS } from './signer-key';

/** Signs a GET of one video; `reload()` makes the next call read the secret again. */
export interface S3UrlSigner {
  (request: { key: string; expiresAt: Date }): Promise<string>;
  /** Drops the cached key's freshness, e.g. right after rotating the secret by hand. */
  reload: () => void;
}

/**
 * Signs S3 GETs with the long-lived key of the dedicated signer IAM user (kept in Secrets
 * Manager), not with this Lambda's role: a URL signed with the role's session credentials stops
 * working when that session expires, often well before the hour we promise.
 *
 * The key is rotated (amplify/storage/video-url-signer.ts), and nothing at signing time shows a
 * key is outdated, so the cached one is re-read every `reloadAfterMs`. The replaced key stays
 * valid until the next rotation, so signing with it a little longer, or when a re-read fails,
 * still gives working URLs.
 */
export const createS3UrlSigner = ({
  bucket,
  region,
  secretArn,
  secrets = new SecretsManagerClient({ region }),
  reloadAfterMs = SIGNER_KEY_RELOAD_SECONDS * 1000,
  now = Date.now,
}: {
  bucket: string;
  region: string;
  secretArn: string;
  secrets?: Pick<SecretsManagerClient, 'send'>;
  reloadAfterMs?: number;
  now?: () => number;
}): S3UrlSigner => {
  let cached: { client: S3Client; loadedAt: number } | undefined;
  let loading: Promise<S3Client> | undefined;

  const loadClient = async (): Promise<S3Client> => {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const parsed = parseSignerKey(SecretString);
    if (!parsed.ok) {
      throw new Error(
        `Secret ${secretArn} must hold {"accessKeyId","secretAccessKey"}, but ${parsed.problem}. ` +
          'Right after the first deploy its first rotation may still be running: try again in a minute; ' +
          'otherwise see the signer-key-rotation function’s logs.',
      );
    }
    return new S3Client({ region, credentials: parsed.key });
  };

  // One read at a time, shared by the calls that arrive while it runs.
  const reloadClient = (): Promise<S3Client> => {
    loading ??= loadClient()
      .then((client) => {
        cached = { client, loadedAt: now() };
        return client;
      })
      .finally(() => {
        loading = undefined;
      });
    return loading;
  };

  const currentClient = async (): Promise<S3Client> => {
    if (!cached) return await reloadClient(); // A failed first read is retried on the next call.
    if (now() - cached.loadedAt < reloadAfterMs) return cached.client;
    const stale = cached.client;
    try {
      return await reloadClient();
    } catch (error) {
      console.warn(
        `Re-reading the signer key from ${secretArn} failed; signing with the cached key, which stays valid until the next rotation.`,
        error,
      );
      return stale;
    }
  };

  const sign = async ({ key, expiresAt }: { key: string; expiresAt: Date }): Promise<string> => {
    const client = await currentClient();
    const expiresIn = Math.ceil((expiresAt.getTime() - now()) / 1000);
    return await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentType: 'video/mp4' }),
      { expiresIn },
    );
  };
  return Object.assign(sign, {
    reload: () => {
      if (cached) cached.loadedAt = Number.NEGATIVE_INFINITY;
    },
  });
};
