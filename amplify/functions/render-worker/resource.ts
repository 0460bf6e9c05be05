import { defineFunction } from '@aws-amplify/backend';

/** The render worker: consumes the render queue and drives each job's lifecycle. */
export const renderWorker = defineFunction({
  name: 'render-worker',
  entry: './handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: 900,
  memoryMB: 1024,
});
