import type { SQSRecord } from 'aws-lambda';
import type { RenderLimits } from '../../../contract/render-limits';
import { parseInputProps } from '../../../remotion/catalog';
import { createRenderWorker, type RenderWorker, type WorkerSettings } from './job-lifecycle';
import type { LogFunction } from './job-telemetry';
import { createRenderablePropsParser } from './parse-renderable-props';
import type { Clock, JobMetrics, JobQueue, JobStore, Renderer } from './ports';
import { keepingDeadLetters, type SpendGuard } from './spend-guard';
import { createSqsHandler } from './sqs-handler';

/** What the Lambda and local mode differ in: the adapters, the settings and where logs and metrics go. */
export interface RenderWorkerWiring {
  store: JobStore;
  renderer: Renderer;
  queue: JobQueue;
  clock: Clock;
  settings: Partial<WorkerSettings> & Pick<WorkerSettings, 'renderCap'>;
  /**
   * The render function's limits: a video longer than it can finish is refused before it starts
   * (docs/architecture.md, "Render limits"). Absent: only the composition's schema is checked.
   */
  renderLimits?: RenderLimits;
  /** True for records from the dead-letter queue. */
  isDeadLetter: (record: SQSRecord) => boolean;
  /** True for records from the wake-up queue (a malformed one is dropped there); omitted: none are. */
  isWakeUp?: (record: SQSRecord) => boolean;
  log: LogFunction;
  /** Omitted: no metrics (local mode). */
  metrics?: JobMetrics;
  /** Budgets and the per-user daily quota; omitted: none. */
  spendGuard?: SpendGuard;
  /** Keeps each dead letter, once its job has ended, for admins to redrive or discard; omitted: dropped. */
  keepDeadLetter?: (jobId: string, receiveCount: number) => Promise<void>;
}

/** The SQS handler of the worker's queues, the render worker it hands each record to, and the worker itself. */
export interface WiredRenderWorker {
  worker: RenderWorker;
  handler: ReturnType<typeof createSqsHandler>;
}

/** Builds the render worker and its SQS handler; the Lambda and local mode differ only in what they pass. */
export const wireRenderWorker = (wiring: RenderWorkerWiring): WiredRenderWorker => {
  const worker = createRenderWorker({
    store: wiring.store,
    renderer: wiring.renderer,
    clock: wiring.clock,
    queue: wiring.queue,
    parseInputProps: wiring.renderLimits
      ? createRenderablePropsParser(wiring.renderLimits, parseInputProps)
      : parseInputProps,
    config: wiring.settings,
    log: wiring.log,
    ...(wiring.metrics ? { metrics: wiring.metrics } : {}),
    ...(wiring.spendGuard ? { spendGuard: wiring.spendGuard } : {}),
  });
  const consumer = wiring.keepDeadLetter
    ? keepingDeadLetters(worker, wiring.keepDeadLetter)
    : worker;
  return {
    worker,
    handler: createSqsHandler(consumer, {
      isDeadLetter: wiring.isDeadLetter,
      ...(wiring.isWakeUp ? { isWakeUp: wiring.isWakeUp } : {}),
      queue: wiring.queue,
    }),
  };
};
