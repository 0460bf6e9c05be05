import { describe, expect, it } from 'vitest';
import {
  createRenderWorker,
  type WorkerSettings,
} from '../../../amplify/functions/render-worker/job-lifecycle';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
  parseTestInputProps,
  throttlingError,
  type RenderScript,
} from '../../support/worker-fakes';
import { HOUR, messageOf, progressPushes, setUp } from '../../support/render-worker-setup';

describe('tracking a render: progress, cancel, time budget, outages and its end (render-tracking.ts)', () => {
  it('pushes progress with frames, ETA and cost when it moved ≥ 1 % or 2 s passed', async () => {
    // 0.5 % per 1 s poll: only the 2 s rule fires → about one push every 2 s.
    const slow = setUp({ script: () => ({ durationMs: 200_000, totalFrames: 200 }) });
    slow.db.insert({ id: 'slow' });
    await slow.deliver('slow', 1, 20_000);
    const slowPushes = progressPushes(slow.db, 'slow');
    expect(slowPushes.length).toBeGreaterThanOrEqual(9);
    expect(slowPushes.length).toBeLessThanOrEqual(11);
    const last = slowPushes.at(-1)!.patch;
    expect(last.renderedFrames).toBeGreaterThan(0);
    expect(last.totalFrames).toBe(200);
    expect(last.etaSeconds).toBeGreaterThan(150);
    expect(last.costUsd).toBeGreaterThan(0);

    // 5 % per poll: every poll pushes.
    const fast = setUp({ script: () => ({ durationMs: 20_000 }) });
    fast.db.insert({ id: 'fast' });
    await fast.deliver('fast', 1, 10_000);
    expect(progressPushes(fast.db, 'fast').length).toBeGreaterThanOrEqual(9);
  });

  it('notices a cancel while tracking and stops the render', async () => {
    const { db, rendering, deliver, clock } = setUp({ script: () => ({ durationMs: 60_000 }) });
    db.insert({ id: 'job-1' });
    const realSleep = clock.sleep;
    clock.sleep = async (ms) => {
      await realSleep(ms);
      if (clock.now() - Date.parse('2026-01-01T00:00:00.000Z') > 5000) db.requestCancel('job-1');
    };

    expect(await deliver('job-1')).toEqual({ action: 'ack', reason: 'cancelled' });
    expect(rendering.cancels).toEqual(['render-1']);
    expect(db.jobs.get('job-1')!.status).toBe('CANCELLED');
  });

  it('stops before the time budget, continues in a fresh message and resumes the same render', async () => {
    const { db, rendering, deliver } = setUp({
      script: () => ({ durationMs: 30_000 }),
      config: { stopBeforeDeadlineMs: 5000 },
    });
    db.insert({ id: 'job-1' });

    const first = await deliver('job-1', 1, 15_000);
    expect(first).toMatchObject({ action: 'continue', delaySeconds: 0 });
    expect(db.jobs.get('job-1')).toMatchObject({ status: 'RENDERING', renderId: 'render-1' });

    // Each delivery tracks ≈ 9 s (15 s budget − 5 s margin − one poll) of the 30 s render.
    const later: string[] = [];
    for (let i = 0; i < 5 && db.jobs.get('job-1')!.status === 'RENDERING'; i += 1) {
      later.push((await deliver('job-1', 1, 15_000)).action);
    }

    expect(later).toEqual(['continue', 'continue', 'ack']);
    expect(rendering.startsByJob.get('job-1')).toBe(1);
    expect(db.jobs.get('job-1')!.status).toBe('SUCCEEDED');
  });

  it('retries a throttled progress read without a second render', async () => {
    let throttle = false;
    const { db, rendering, deliver } = setUp({
      script: () => ({ durationMs: 10_000 }),
      rendererFault: (operation) =>
        operation === 'getProgress' && throttle ? throttlingError() : undefined,
    });
    db.insert({ id: 'job-1' });
    await deliver('job-1', 1, 4000);
    throttle = true;

    expect((await deliver('job-1')).action).toBe('retry');
    expect(db.jobs.get('job-1')!.status).toBe('RENDERING');

    throttle = false;
    expect(await deliver('job-1', 2)).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(rendering.startsByJob.get('job-1')).toBe(1);
  });

  it('fails the job with an actionable message when the render fails fatally', async () => {
    const { db, deliver } = setUp({ script: () => ({ durationMs: 10_000, failAtProgress: 0.4 }) });
    db.insert({ id: 'job-1' });

    expect((await deliver('job-1')).action).toBe('ack');

    const job = db.jobs.get('job-1')!;
    expect(job.status).toBe('FAILED');
    expect(job.errorMessage).toBe(
      'The render failed: Chromium crashed while rendering frame 42. Check the composition and its props, then render again.',
    );
    expect(job.costUsd).toBeGreaterThan(0);
  });

  it('rides out a short store outage while tracking, in place: no receive spent, one render', async () => {
    let outage = false;
    let refused = 0;
    const { db, rendering, recording, worker, clock } = setUp({
      script: () => ({ durationMs: 10_000 }),
      storeFault: (operation) => {
        if (!outage || (operation !== 'get' && operation !== 'update')) return undefined;
        refused += 1;
        if (refused >= 4) outage = false;
        return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), {
          code: 'ECONNREFUSED',
        });
      },
    });
    db.insert({ id: 'job-1' });
    const message = messageOf(clock, 'job-1');
    await worker.processDelivery({ ...message, deadlineMs: clock.now() + 4000 });
    outage = true;

    expect(await worker.handleMessage(message)).toBe('delete');

    expect(refused).toBe(4);
    expect(db.jobs.get('job-1')!.status).toBe('SUCCEEDED');
    expect(recording.retries).toEqual([]);
    expect(rendering.startsByJob.get('job-1')).toBe(1);
  });
});

describe('render worker lifecycle: a render that fails for a temporary reason', () => {
  const THROTTLED = 'AWS Concurrency limit reached (Original Error: Rate Exceeded.).';

  /** A worker whose renders fail as the cloud renderer reports Lambda throttling: `retryable`. */
  const setUpThrottled = (scripts: RenderScript[], config: Partial<WorkerSettings> = {}) => {
    const clock = createFakeClock();
    const db = createInMemoryJobStore();
    let starts = 0;
    const rendering = createScriptedRenderer(clock, {
      // One script per render start; the last one repeats.
      script: () => scripts[Math.min((starts += 1), scripts.length) - 1]!,
    });
    const recording = createRecordingQueue();
    const worker = createRenderWorker({
      store: db.store,
      renderer: {
        ...rendering.renderer,
        getProgress: async (renderId) => {
          const progress = await rendering.renderer.getProgress(renderId);
          return progress.state === 'failed' && progress.message === THROTTLED
            ? { ...progress, retryable: true }
            : progress;
        },
      },
      clock,
      queue: recording.queue,
      parseInputProps: parseTestInputProps,
      config: { renderCap: 2, stopBeforeDeadlineMs: 0, ...config },
      random: () => 0.5,
    });
    return { clock, db, rendering, recording, worker };
  };
  const throttledRender: RenderScript = {
    durationMs: 10_000,
    failAtProgress: 0.3,
    failMessage: THROTTLED,
  };

  it('queues the job again with backoff instead of blaming its props, then renders it anew', async () => {
    const { clock, db, rendering, worker } = setUpThrottled([
      throttledRender,
      { durationMs: 5000 },
    ]);
    db.insert({ id: 'job-1' });

    const first = await worker.processDelivery({
      jobId: 'job-1',
      receiveCount: 2,
      deadlineMs: clock.now() + HOUR,
    });

    // receive 2 → ceiling 2·2¹ = 4 s, full jitter at 0.5 → 2 s
    expect(first).toEqual({ action: 'retry', delaySeconds: 2, reason: THROTTLED });
    const job = db.jobs.get('job-1')!;
    expect(job.status).toBe('QUEUED');
    for (const field of ['renderId', 'startedAt', 'progress', 'errorMessage', 'finishedAt'])
      expect(job[field], field).toBeUndefined();
    // The requeue is conditional on this very render.
    expect(db.patches.find((p) => p.patch.status === 'QUEUED')!.expected).toEqual({
      status: 'RENDERING',
      renderId: 'render-1',
    });

    const second = await worker.processDelivery({
      jobId: 'job-1',
      receiveCount: 3,
      deadlineMs: clock.now() + HOUR,
    });

    expect(second).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(rendering.startsByJob.get('job-1')).toBe(2);
    expect(db.statusHistory.get('job-1')).toEqual([
      'RENDERING',
      'QUEUED',
      'RENDERING',
      'SUCCEEDED',
    ]);
  });

  it('spends one receive per attempt, so the DLQ ends the job after maxReceiveCount with the temporary-errors message', async () => {
    const { clock, db, recording, worker } = setUpThrottled([throttledRender], {
      maxReceiveCount: 3,
    });
    db.insert({ id: 'job-1' });

    for (const receiveCount of [1, 2, 3]) {
      const message = messageOf(clock, 'job-1', { receiveCount });
      expect(await worker.handleMessage(message)).toBe('keep');
      expect(db.jobs.get('job-1')!.status).toBe('QUEUED');
    }
    expect(recording.retries).toEqual([
      { receiptHandle: 'rh-1', delaySeconds: 1, from: 'render' },
      { receiptHandle: 'rh-1', delaySeconds: 2, from: 'render' },
      { receiptHandle: 'rh-1', delaySeconds: 4, from: 'render' },
    ]);
    expect(recording.continuations).toEqual([]);

    const deadLetter = messageOf(clock, 'job-1', { receiveCount: 1, deadLetter: true });
    expect(await worker.handleMessage(deadLetter)).toBe('delete');

    const job = db.jobs.get('job-1')!;
    expect(job.status).toBe('FAILED');
    expect(job.errorMessage).toBe(
      'The render service gave up after 3 attempts because AWS kept reporting temporary errors ' +
        '(throttling or outages). Render again in a few minutes.',
    );
  });

  it('still ends the job FAILED, naming the props, when the render fails for a permanent reason', async () => {
    const { clock, db, worker } = setUpThrottled([
      { durationMs: 10_000, failAtProgress: 0.3, failMessage: 'Composition threw.' },
    ]);
    db.insert({ id: 'job-1' });

    const outcome = await worker.processDelivery({
      jobId: 'job-1',
      receiveCount: 1,
      deadlineMs: clock.now() + HOUR,
    });

    expect(outcome.action).toBe('ack');
    expect(db.jobs.get('job-1')!.errorMessage).toBe(
      'The render failed: Composition threw. Check the composition and its props, then render again.',
    );
  });
});
