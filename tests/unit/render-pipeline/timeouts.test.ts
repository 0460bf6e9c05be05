// How the Remotion render function's timeout, the worker's timeout, its claim lease, the queue's
// visibility timeout and the continue-later path fit together, for every configuration the backend accepts.
import type { SQSEvent } from 'aws-lambda';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  createRenderWorker,
  DEFAULT_WORKER_SETTINGS,
} from '../../../amplify/functions/render-worker/job-lifecycle';
import { RENDER_WORKER_TIMEOUT_SECONDS } from '../../../contract/job-contract';
import { createSqsHandler } from '../../../amplify/functions/render-worker/sqs-handler';
import {
  maxHdFramesOf,
  readPipelineConfig,
  type PipelineConfig,
} from '../../../amplify/render-pipeline/config';
import { createRenderQueue } from '../../../amplify/render-pipeline/render-queue';
import {
  EXECUTIONS_PER_RENDER_BESIDES_RENDERERS,
  RENDER_OVERHEAD_SECONDS,
  RESERVED_EXECUTIONS,
} from '../../../contract/render-limits';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
  parseTestInputProps,
} from '../../support/worker-fakes';

/** Every REMOTION_TIMEOUT_SECONDS the config accepts, as its refusals of the neighbours prove. */
const MIN_TIMEOUT = 120;
const MAX_TIMEOUT = 900;
const ALLOWED_TIMEOUTS = Array.from(
  { length: MAX_TIMEOUT - MIN_TIMEOUT + 1 },
  (_, i) => MIN_TIMEOUT + i,
);
/** LAMBDA_CONCURRENCY_BUDGET values from its minimum (8: two renders of one renderer) to a raised account quota. */
const BUDGETS = [8, 9, 10, 11, 12, 16, 20, 50, 100, 1000, 100_000];

const configOf = (timeout: number, budget: number) =>
  readPipelineConfig({
    REMOTION_TIMEOUT_SECONDS: String(timeout),
    LAMBDA_CONCURRENCY_BUDGET: String(budget),
  });

/** The plan for a budget, or the config's refusal of it (a budget too small for two renders of one renderer). */
const planOf = (timeout: number, budget: number): PipelineConfig | Error => {
  try {
    return configOf(timeout, budget);
  } catch (error) {
    return error as Error;
  }
};

describe('render timeouts and limits', () => {
  it('accepts REMOTION_TIMEOUT_SECONDS from 120 to 900 only', () => {
    expect(configOf(MIN_TIMEOUT, 10).remotionTimeoutSeconds).toBe(MIN_TIMEOUT);
    expect(configOf(MAX_TIMEOUT, 10).remotionTimeoutSeconds).toBe(MAX_TIMEOUT);
    expect(() => configOf(MIN_TIMEOUT - 1, 10)).toThrow(/REMOTION_TIMEOUT_SECONDS/);
    expect(() => configOf(MAX_TIMEOUT + 1, 10)).toThrow(/REMOTION_TIMEOUT_SECONDS/);
  });

  it('holds a claim without a render id longer than the longest render, so an orphaned start is over before it is failed', () => {
    for (const timeout of ALLOWED_TIMEOUTS) {
      // Remotion's deadline for a whole render is its render function's timeout.
      expect(DEFAULT_WORKER_SETTINGS.claimLeaseMs).toBeGreaterThan(timeout * 1000);
    }
  });

  it('stops tracking before its own timeout, with at least one poll of tracking left', () => {
    const trackingWindowMs =
      RENDER_WORKER_TIMEOUT_SECONDS * 1000 - DEFAULT_WORKER_SETTINGS.stopBeforeDeadlineMs;
    expect(DEFAULT_WORKER_SETTINGS.stopBeforeDeadlineMs).toBeGreaterThan(0);
    expect(trackingWindowMs).toBeGreaterThan(DEFAULT_WORKER_SETTINGS.pollIntervalMs);
  });

  it.each([MIN_TIMEOUT, 120, MAX_TIMEOUT])(
    'resumes a render of the full %i s Remotion deadline across invocations, never cutting it',
    async (remotionTimeoutSeconds) => {
      const clock = createFakeClock();
      const db = createInMemoryJobStore();
      const rendering = createScriptedRenderer(clock, {
        script: () => ({ durationMs: remotionTimeoutSeconds * 1000 }),
      });
      const recording = createRecordingQueue();
      // The cloud's settings: only the cap is the deployment's.
      const worker = createRenderWorker({
        store: db.store,
        renderer: rendering.renderer,
        clock,
        queue: recording.queue,
        parseInputProps: parseTestInputProps,
        config: { renderCap: 2 },
      });
      const handler = createSqsHandler(worker, { clock, queue: recording.queue });
      db.insert({ id: 'job-1' });

      const invocationMs: number[] = [];
      for (let i = 0; i < 10 && db.jobs.get('job-1')!.status !== 'SUCCEEDED'; i += 1) {
        const startedAt = clock.now();
        // Each invocation starts with the whole Lambda timeout ahead of it.
        const response = await handler(messageFor('job-1'), {
          getRemainingTimeInMillis: () => RENDER_WORKER_TIMEOUT_SECONDS * 1000,
        });
        expect(response.batchItemFailures).toEqual([]);
        invocationMs.push(clock.now() - startedAt);
      }

      expect(db.jobs.get('job-1')!.status).toBe('SUCCEEDED');
      expect(rendering.startsByJob.get('job-1')).toBe(1);
      expect(rendering.cancels).toEqual([]);
      for (const ms of invocationMs) {
        expect(ms).toBeLessThanOrEqual(
          RENDER_WORKER_TIMEOUT_SECONDS * 1000 - DEFAULT_WORKER_SETTINGS.stopBeforeDeadlineMs,
        );
      }
      // Every invocation but the last handed over to a fresh message (no receive counted, no retry).
      expect(recording.continuations).toHaveLength(invocationMs.length - 1);
      expect(recording.retries).toEqual([]);
      const trackingWindowMs =
        RENDER_WORKER_TIMEOUT_SECONDS * 1000 - DEFAULT_WORKER_SETTINGS.stopBeforeDeadlineMs;
      if (remotionTimeoutSeconds * 1000 > trackingWindowMs) {
        expect(invocationMs.length).toBeGreaterThan(1);
      }
    },
  );

  it('keeps a message invisible longer than the worker that holds it may run', () => {
    const stack = new Stack(new App(), 'Queues');
    createRenderQueue(stack, readPipelineConfig({}));
    const queues = Template.fromStack(stack).findResources('AWS::SQS::Queue');
    const visibilities = Object.values(queues).map(
      (queue) =>
        (queue as { Properties: { VisibilityTimeout: number } }).Properties.VisibilityTimeout,
    );
    // The render queue, the wake-up queue and their DLQ, all consumed by the worker.
    expect(visibilities).toHaveLength(3);
    for (const visibility of visibilities) {
      expect(visibility).toBeGreaterThan(RENDER_WORKER_TIMEOUT_SECONDS);
    }
    // A message whose every delivery fails reaches the DLQ only if it is still kept after its last receive.
    const redriven = Object.values(queues)
      .map(
        (queue) =>
          (
            queue as {
              Properties: {
                VisibilityTimeout: number;
                MessageRetentionPeriod: number;
                RedrivePolicy?: { maxReceiveCount: number };
              };
            }
          ).Properties,
      )
      .filter((properties) => properties.RedrivePolicy);
    expect(redriven).toHaveLength(2); // the render queue and the wake-up queue
    for (const { VisibilityTimeout, MessageRetentionPeriod, RedrivePolicy } of redriven) {
      expect(MessageRetentionPeriod).toBeGreaterThan(
        RedrivePolicy!.maxReceiveCount * VisibilityTimeout,
      );
    }
  }, 180_000); // synthesizing with the CDK takes seconds, more on a busy machine

  it('fits every render in flight into the concurrency budget, or refuses the budget naming the fix', () => {
    for (const budget of BUDGETS) {
      for (const timeout of ALLOWED_TIMEOUTS) {
        const plan = planOf(timeout, budget);
        if (plan instanceof Error) {
          expect(plan.message).toMatch(/LAMBDA_CONCURRENCY_BUDGET is \d+[\s\S]*Lower RENDER_CAP/);
          continue;
        }
        expect(plan.renderersPerRender).toBeGreaterThanOrEqual(1);
        expect(
          plan.renderCap * (plan.renderersPerRender + EXECUTIONS_PER_RENDER_BESIDES_RENDERERS) +
            RESERVED_EXECUTIONS,
        ).toBeLessThanOrEqual(budget);
      }
    }
    // The default budget (a new account's 10) must plan, not refuse.
    expect(planOf(120, 10)).not.toBeInstanceOf(Error);
  });

  it('raises the longest renderable video as REMOTION_TIMEOUT_SECONDS rises, never lowers it', () => {
    for (const budget of BUDGETS) {
      let previous = -1;
      for (const timeout of ALLOWED_TIMEOUTS) {
        const plan = planOf(timeout, budget);
        if (plan instanceof Error) break;
        const frames = maxHdFramesOf(plan);
        if (timeout > RENDER_OVERHEAD_SECONDS) expect(frames).toBeGreaterThan(previous);
        else expect(frames).toBeGreaterThanOrEqual(previous);
        previous = frames;
      }
    }
  });
});

/** An SQS event with one render-queue message for `jobId`. */
function messageFor(jobId: string): SQSEvent {
  return {
    Records: [
      {
        messageId: `m-${jobId}`,
        receiptHandle: `rh-${jobId}`,
        body: JSON.stringify({ jobId }),
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'pipe',
          ApproximateFirstReceiveTimestamp: '0',
        },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:render-queue',
        awsRegion: 'us-east-1',
      },
    ],
  };
}
