import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import type { RenderWorker } from './job-lifecycle';
import type { Clock, JobQueue } from './ports';

// `wakeFor`: a wake-up from Remotion's webhook names the render that ended. `rowWake`: a batch row woken for a freed
// slot, with how many times that wake-up was passed on (docs/architecture.md, "Batches", the hand-off).
const messageSchema = z.object({
  jobId: z.string().min(1),
  wakeFor: z.string().min(1).optional(),
  rowWake: z.number().int().min(0).optional(),
});

/** A render queue message, as read. */
export type JobMessage = z.infer<typeof messageSchema>;

/** Reads a render queue message body; throws saying what was expected and what came. */
export const parseJobMessage = (body: string): JobMessage => {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error(
      `Expected a JSON message body {"jobId": string}, but got ${JSON.stringify(body.slice(0, 200))}`,
    );
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `Expected a message body {"jobId": non-empty string, "wakeFor"?: non-empty string, "rowWake"?: integer ≥ 0}, but got ${JSON.stringify(json).slice(0, 200)}`,
    );
  }
  return parsed.data;
};

/** The part of the Lambda context the worker uses (local mode passes just this). */
export interface WorkerContext {
  getRemainingTimeInMillis(): number;
}

/** Options of the SQS handler. */
export interface SqsHandlerOptions {
  /** True for records from the dead-letter queue (e.g. compare `eventSourceARN` with the DLQ's ARN). */
  isDeadLetter?: (record: SQSRecord) => boolean;
  /** True for records from the wake-up queue: a malformed one is dropped, as the render queue does not hold it. */
  isWakeUp?: (record: SQSRecord) => boolean;
  /**
   * The render queue: a malformed message is handed back at once, so it reaches the DLQ after its few receives
   * instead of waiting out the queue's visibility timeout (hours) before each one.
   */
  queue?: Pick<JobQueue, 'retryLater'>;
  clock?: Pick<Clock, 'now'>;
}

/** The render worker's Lambda handler: each SQS record goes to the worker; failures are reported per record. */
export const createSqsHandler = (worker: RenderWorker, options: SqsHandlerOptions = {}) => {
  const now = options.clock?.now ?? Date.now;
  return async (event: SQSEvent, context: WorkerContext): Promise<SQSBatchResponse> => {
    const deadlineMs = now() + context.getRemainingTimeInMillis();
    const handleRecord = async (record: SQSRecord): Promise<void> => {
      const deadLetter = options.isDeadLetter?.(record) ?? false;
      let message: JobMessage;
      try {
        message = parseJobMessage(record.body);
      } catch (error) {
        // A malformed message on the DLQ has no job to fail: drop it (it is logged), and a malformed wake-up with it (it
        // is only a hint). On the render queue, fail it so it reaches the DLQ.
        if (deadLetter)
          return console.error('Dropping malformed dead letter', record.messageId, error);
        if (options.isWakeUp?.(record))
          return console.error('Dropping malformed wake-up', record.messageId, error);
        await options.queue?.retryLater(record.receiptHandle, 0).catch((handBackError: unknown) => {
          console.error('Could not hand back malformed message', record.messageId, handBackError);
        });
        throw error;
      }
      const receiveCount = Number(record.attributes.ApproximateReceiveCount) || 1;
      const { jobId, wakeFor, rowWake } = message;
      const verdict = await worker.handleMessage({
        jobId,
        receiveCount,
        deadlineMs,
        receiptHandle: record.receiptHandle,
        deadLetter,
        ...(wakeFor ? { wakeFor } : {}),
        ...(rowWake !== undefined ? { rowWake } : {}),
      });
      if (verdict === 'keep')
        throw new Error(`Job ${jobId}: message handed back for a later retry`);
    };
    // Every event source delivers one record per batch (batchSize 1), so a render holds only its own message.
    return processPartialResponse(event, handleRecord, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
  };
};

/** A Lambda handler whose collaborators are built by `init` before its first use. */
export interface LazyHandler<Event, Context, Result> {
  /** Starts building now (at cold start); a failure is logged and the next invocation builds again. */
  prepare(): void;
  handler(event: Event, context: Context): Promise<Result>;
}

/**
 * Builds a handler on first use and keeps it only once built: a failed `init` (e.g. a cold-start read
 * that timed out) fails the invocation that waited for it, and the next invocation tries again.
 */
export const createLazyHandler = <Event, Context, Result>(
  init: () => Promise<(event: Event, context: Context) => Promise<Result>>,
  onInitError: (error: unknown) => void = (error) =>
    console.error('Render worker initialisation failed; the next invocation tries again', error),
): LazyHandler<Event, Context, Result> => {
  let ready: Promise<(event: Event, context: Context) => Promise<Result>> | undefined;
  const build = () => {
    const attempt = init();
    ready = attempt;
    attempt.catch((error: unknown) => {
      // Forget only this failed attempt, never a newer one.
      if (ready === attempt) ready = undefined;
      onInitError(error);
    });
    return attempt;
  };
  return {
    prepare: () => {
      if (!ready) build();
    },
    handler: async (event, context) => (await (ready ?? build()))(event, context),
  };
};
