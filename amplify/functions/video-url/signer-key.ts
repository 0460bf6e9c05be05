// The contract between the key rotation (which writes the signer key) and the video-url signer
// (which reads it), and the synthesis (which sizes the rotation from the reload interval).
import { z } from 'zod';

/** How long the video-url function signs with a cached key before reading the secret again. */
export const SIGNER_KEY_RELOAD_SECONDS = 300;

const signerKeySchema = z.object({
  accessKeyId: z.string().min(16, { error: 'accessKeyId must be an IAM access key id' }),
  secretAccessKey: z.string().min(16, { error: 'secretAccessKey must be an IAM secret key' }),
});

/** An access key of the signer IAM user, as its secret holds it (JSON). */
export type SignerKey = z.infer<typeof signerKeySchema>;

/** Parses a secret value into a signer key, or says what was wrong with it. */
export const parseSignerKey = (
  secretString: string | undefined,
): { ok: true; key: SignerKey } | { ok: false; problem: string } => {
  let json: unknown;
  try {
    json = JSON.parse(secretString ?? 'null');
  } catch {
    return { ok: false, problem: 'it is not JSON' };
  }
  const parsed = signerKeySchema.safeParse(json);
  return parsed.success
    ? { ok: true, key: parsed.data }
    : { ok: false, problem: parsed.error.issues.map((issue) => issue.message).join('; ') };
};
