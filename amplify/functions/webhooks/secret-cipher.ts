import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Encrypts signing secrets at rest with AES-256-GCM; the key comes from a Secrets Manager secret or a local file. */
export interface SecretCipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

/** A cipher over a 256-bit key derived (SHA-256) from the given key material. Sealed: `v1.<iv>.<tag>.<data>`, base64url. */
export function createSecretCipher(keyMaterial: string): SecretCipher {
  if (keyMaterial.length < 32)
    throw new Error(
      `the webhook secret key must be at least 32 characters, but got ${keyMaterial.length}`,
    );
  const key = createHash('sha256').update(keyMaterial).digest();
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), data]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join('.');
    },
    decrypt(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined)
        throw new Error('a sealed webhook secret must look like v1.<iv>.<tag>.<data>');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(data, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    },
  };
}
