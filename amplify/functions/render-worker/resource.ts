import { defineFunction } from '@aws-amplify/backend';
import { FUNCTION_LOG_RETENTION } from '../../render-pipeline/log-retention';
import { RENDER_WORKER_TIMEOUT_SECONDS } from '../../../contract/job-contract';

/**
 * The render worker: consumes the render queue and drives each job's lifecycle.
 * In the data stack's group, so the queue, the pipe from the Job table and this function's
 * event sources live in one stack (data ↔ function ↔ queue would otherwise form a cycle).
 * Its environment is set in one place, `configureRenderWorker` (amplify/render-pipeline/render-worker-access.ts).
 */
/**
 * The worker waits out every render, so its memory is billed for the whole render: sized from its measured peak
 * (`npm run bench -- --only=memory`: the bundled handler peaks near 150 MB of its own RSS, 149.2–152.8 MB on
 * 2026-12-07) with room to spare, on arm64, which Lambda bills 20 % below x86_64 (docs/architecture.md, "Cost").
 */
export const RENDER_WORKER_MEMORY_MB = 256;

export const renderWorker = defineFunction({
  name: 'render-worker',
  entry: './handler.ts',
  resourceGroupName: 'data',
  runtime: 22,
  timeoutSeconds: RENDER_WORKER_TIMEOUT_SECONDS,
  memoryMB: RENDER_WORKER_MEMORY_MB,
  architecture: 'arm64',
  logging: { retention: FUNCTION_LOG_RETENTION },
});
