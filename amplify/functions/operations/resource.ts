import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';

/**
 * Resolves the admins' queries and mutations (amplify/data/operations-schema.ts). In the data stack's group, like
 * the other resolvers: it reads and writes through the data API, and the API depends on it.
 * Its environment and permissions are set by `configureOperationsFunction` (amplify/render-pipeline/operations-access.ts).
 */
export const operations = defineFunction({
  name: 'operations',
  entry: './handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 30,
  memoryMB: 256,
  logging: { retention: FUNCTION_LOG_RETENTION },
});
