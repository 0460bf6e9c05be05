import {
  createRenderWorker,
  type WorkerSettings,
} from '../../amplify/functions/render-worker/job-lifecycle';
import type { RenderRequest } from '../../amplify/functions/render-worker/ports';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
  parseTestInputProps,
  type FaultHook,
  type RenderScript,
} from './worker-fakes';

/** The tests of the render worker's modules, each run through the composed worker as the handler runs it. */

export const HOUR = 3_600_000;

export const setUp = (
  options: {
    config?: Partial<WorkerSettings>;
    script?: (request: RenderRequest) => RenderScript;
    rendererFault?: FaultHook;
    storeFault?: FaultHook;
  } = {},
) => {
  const clock = createFakeClock();
  const db = createInMemoryJobStore({ fault: options.storeFault });
  const rendering = createScriptedRenderer(clock, {
    script: options.script,
    fault: options.rendererFault,
  });
  const recording = createRecordingQueue();
  const worker = createRenderWorker({
    store: db.store,
    renderer: rendering.renderer,
    clock,
    queue: recording.queue,
    parseInputProps: parseTestInputProps,
    config: { renderCap: 2, stopBeforeDeadlineMs: 0, ...options.config },
    random: () => 0.5,
  });
  const deliver = (jobId: string, receiveCount = 1, budgetMs = HOUR) =>
    worker.processDelivery({ jobId, receiveCount, deadlineMs: clock.now() + budgetMs });
  return { clock, db, rendering, recording, worker, deliver };
};

/** A render-queue message for `jobId`, due within the hour. */
export const messageOf = (
  clock: { now(): number },
  jobId: string,
  overrides: { receiptHandle?: string; receiveCount?: number; deadLetter?: boolean } = {},
) => ({
  jobId,
  receiveCount: 1,
  deadlineMs: clock.now() + HOUR,
  receiptHandle: 'rh-1',
  ...overrides,
});

export const progressPushes = (db: ReturnType<typeof createInMemoryJobStore>, jobId: string) =>
  db.patches.filter(
    (p) => p.jobId === jobId && p.written && p.patch.progress !== undefined && !p.patch.status,
  );
