import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';

/**
 * Resolves `removeJob`: the owner deletes a job, its outputs and its render state, cancelling it first. In the data
 * stack's group, like the other resolvers (the data stack depends on its resolver). Its environment and permissions
 * are set by `configureJobRemover` (amplify/render-pipeline/job-remover-access.ts). The timeout covers the ~20 s
 * wait for a rendering job to be cancelled, and the deletes after it.
 */
export const jobRemover = defineFunction({
  name: 'remove-job',
  entry: './handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 60,
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});
