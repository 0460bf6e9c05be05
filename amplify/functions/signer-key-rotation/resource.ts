import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';

/**
 * Rotates the video-URL signer's access key (Secrets Manager's four rotation steps) and deletes
 * the user's keys when its stack is deleted. In the storage stack's group, beside the signer user
 * and its secret: the rotation schedule names this function and its policy names both, so
 * anywhere else the two stacks would point at each other.
 * Its environment, permissions and schedule are set by `createVideoUrlSigner` (amplify/storage/video-url-signer.ts).
 */
export const signerKeyRotation = defineFunction({
  name: 'signer-key-rotation',
  entry: './handler.ts',
  resourceGroupName: 'storage',
  runtime: 22,
  timeoutSeconds: 60, // testSecret waits up to 30 s for IAM to propagate the new key
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});
