import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';

/**
 * Resolves `getJobVideoUrl`. In the data stack's group: it reads the Job table, and the data
 * stack already depends on this function's resolver, so anywhere else would form a cycle.
 * Its environment is set by `configureVideoUrlFunction` (amplify/storage/video-url-signer.ts).
 */
export const videoUrl = defineFunction({
  name: 'video-url',
  entry: './handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 10,
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});
