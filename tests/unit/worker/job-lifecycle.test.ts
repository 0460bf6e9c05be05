import { describe, expect, it } from 'vitest';
import {
  ABANDONED_START_MESSAGE,
  createRenderWorker,
  tooManyActiveJobsMessage,
  type WorkerSettings,
} from '../../../amplify/functions/render-worker/job-lifecycle';
import type { JobRecord, RenderRequest } from '../../../amplify/functions/render-worker/ports';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
  parseTestInputProps,
  throttlingError,
  type FaultHook,
  type RenderScript,
} from '../../support/worker-fakes';

const HOUR = 3_600_000;

const setUp = (
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
const messageOf = (
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

const progressPushes = (db: ReturnType<typeof createInMemoryJobStore>, jobId: string) =>
  db.patches.filter(
    (p) => p.jobId === jobId && p.written && p.patch.progress !== undefined && !p.patch.status,
  );

describe('render worker lifecycle', () => {
  it('renders a freshly created job (no status yet) to SUCCEEDED with output, frames and cost', async () => {
    const { db, rendering, deliver } = setUp({
      script: () => ({ durationMs: 5000, totalFrames: 150 }),
    });
    db.insert({ id: 'job-1', owner: 'sub-1::alice' });

    const outcome = await deliver('job-1');

    expect(outcome).toEqual({ action: 'ack', reason: 'succeeded' });
    const job = db.jobs.get('job-1')!;
    expect(job).toMatchObject({
      status: 'SUCCEEDED',
      progress: 1,
      renderedFrames: 150,
      totalFrames: 150,
      outputBucket: 'output-bucket',
      outputKey: 'renders/sub-1/job-1.mp4',
      outputSizeBytes: 123_456,
      renderId: 'render-1',
    });
    expect(job.costUsd).toBeGreaterThan(0);
    expect(db.statusHistory.get('job-1')).toEqual(['RENDERING', 'SUCCEEDED']);
    expect(rendering.startsByJob.get('job-1')).toBe(1);
    expect(rendering.renders.get('render-1')!.request).toEqual({
      jobId: 'job-1',
      owner: 'sub-1::alice',
      compositionId: 'hello',
      inputProps: { title: 'Hi' },
    });
  });

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

  it('fails invalid props with the field errors and never renders or retries', async () => {
    const { db, rendering, deliver } = setUp();
    db.insert({ id: 'job-1', inputProps: { title: 42 } });

    const outcome = await deliver('job-1');

    expect(outcome.action).toBe('ack');
    expect(db.jobs.get('job-1')!.status).toBe('FAILED');
    expect(db.jobs.get('job-1')!.errorMessage).toMatch(
      /props for composition "hello" are invalid: title: /,
    );
    expect(rendering.startsByJob.size).toBe(0);
  });

  it('fails an unknown composition with a message naming the known ones', async () => {
    const { db, rendering, deliver } = setUp();
    db.insert({ id: 'job-1', compositionId: 'nope' });

    await deliver('job-1');

    expect(db.jobs.get('job-1')!.errorMessage).toMatch(
      /Unknown composition "nope"; expected one of: hello/,
    );
    expect(rendering.startsByJob.size).toBe(0);
  });

  it('quotes at most 40 characters of a very long composition id', async () => {
    const { db, deliver } = setUp();
    db.insert({ id: 'job-1', compositionId: 'x'.repeat(5000) });

    await deliver('job-1');

    const message = db.jobs.get('job-1')!.errorMessage as string;
    expect(message).toMatch(/^The props for composition "x{40}…" are invalid: /);
  });

  it('acknowledges terminal and missing jobs without writing anything', async () => {
    const { db, deliver } = setUp();
    db.insert({ id: 'done', status: 'SUCCEEDED' });

    expect(await deliver('done')).toEqual({ action: 'ack', reason: 'already SUCCEEDED' });
    expect(await deliver('missing')).toEqual({ action: 'ack', reason: 'job not found' });
    expect(db.patches).toEqual([]);
  });

  it('cancels a QUEUED job without rendering', async () => {
    const { db, rendering, deliver } = setUp();
    db.insert({ id: 'job-1', cancelRequested: true });

    await deliver('job-1');

    expect(db.jobs.get('job-1')!.status).toBe('CANCELLED');
    expect(rendering.startsByJob.size).toBe(0);
  });

  it('cancels a RENDERING job: stops the render and keeps the cost so far', async () => {
    const { db, rendering, deliver, clock } = setUp({ script: () => ({ durationMs: 60_000 }) });
    db.insert({ id: 'job-1' });
    const first = await deliver('job-1', 1, 10_000);
    expect(first.action).toBe('continue');
    db.requestCancel('job-1');
    clock.advance(1000);

    const outcome = await deliver('job-1');

    expect(outcome).toEqual({ action: 'ack', reason: 'cancelled' });
    expect(rendering.cancels).toEqual(['render-1']);
    const job = db.jobs.get('job-1')!;
    expect(job.status).toBe('CANCELLED');
    expect(job.costUsd).toBeGreaterThan(0.009);
    expect(rendering.startsByJob.get('job-1')).toBe(1);
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

  it('retries a throttled start with backoff and gives the claim back', async () => {
    let throttle = true;
    const { db, rendering, deliver } = setUp({
      rendererFault: (operation) =>
        operation === 'start' && throttle ? throttlingError() : undefined,
    });
    db.insert({ id: 'job-1' });

    const first = await deliver('job-1', 3);

    // receive 3 → ceiling 2·2² = 8 s, full jitter at 0.5 → 4 s
    expect(first).toEqual({ action: 'retry', delaySeconds: 4, reason: 'Rate Exceeded.' });
    expect(db.jobs.get('job-1')!.status).toBe('QUEUED');
    expect(db.jobs.get('job-1')!.startedAt).toBeUndefined();

    throttle = false;
    expect(await deliver('job-1', 4)).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(rendering.startsByJob.get('job-1')).toBe(1);
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

  it('fails a permanent start error (unknown to the Remotion site) without retrying', async () => {
    const { db, deliver } = setUp({
      rendererFault: (operation) =>
        operation === 'start'
          ? new Error('Could not find composition with ID hello in the bundle')
          : undefined,
    });
    db.insert({ id: 'job-1' });

    expect((await deliver('job-1')).action).toBe('ack');
    expect(db.jobs.get('job-1')!.status).toBe('FAILED');
    expect(db.jobs.get('job-1')!.errorMessage).toMatch(
      /could not be completed: Could not find composition/,
    );
  });

  it('ends a job FAILED when its owner holds every render slot, and admits the next once one frees', async () => {
    const { db, rendering, deliver } = setUp({
      config: { maxActiveJobsPerUser: 3, renderCap: 10 },
      script: () => ({ durationMs: 60_000 }),
    });
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) db.insert({ id, owner: 'sub-a::alice' });
    db.insert({ id: 'b1', owner: 'sub-b::bob' });
    // Three of Alice's renders run (each delivery stops early and continues later): they hold her three slots.
    for (const id of ['a1', 'a2', 'a3'])
      expect((await deliver(id, 1, 5000)).action).toBe('continue');

    expect((await deliver('a4')).action).toBe('ack');
    expect(db.jobs.get('a4')!.status).toBe('FAILED');
    expect(db.jobs.get('a4')!.errorMessage).toBe(
      'You already have 3 renders queued or rendering; the limit is 3. Wait for one to finish or cancel one, then render again.',
    );
    expect(tooManyActiveJobsMessage(1, 1)).toMatch(/^You already have 1 render queued/);

    // Other users are not affected; once one of Alice's renders ends, its slot takes her next job.
    expect(await deliver('b1')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(await deliver('a1')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(await deliver('a5')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(rendering.startsByJob.has('a4')).toBe(false);
    expect([...db.slots.values()].map((slot) => slot.jobId).sort()).toEqual(['a2', 'a3']);
  });

  it('waits (fresh message, no receive counted) while the render cap is reached', async () => {
    const { db, rendering, deliver } = setUp({ config: { renderCap: 1, capWaitSeconds: 10 } });
    db.insert({ id: 'busy', status: 'RENDERING', renderId: 'elsewhere' });
    db.insert({ id: 'job-1' });

    const outcome = await deliver('job-1');

    expect(outcome).toEqual({ action: 'continue', delaySeconds: 10, reason: 'render cap reached' });
    expect(db.jobs.get('job-1')!.status).toBeUndefined();
    expect(rendering.startsByJob.size).toBe(0);
  });

  it('cancels its own render when the job moved on between start and storing the render id', async () => {
    const { db, rendering, worker, clock } = setUp();
    db.insert({ id: 'job-1' });
    const realStart = rendering.renderer.start;
    rendering.renderer.start = async (request) => {
      const started = await realStart(request);
      db.jobs.get('job-1')!.status = 'CANCELLED'; // a DLQ or cancel won the race
      return started;
    };

    const outcome = await worker.processDelivery({
      jobId: 'job-1',
      receiveCount: 1,
      deadlineMs: clock.now() + HOUR,
    });

    expect(outcome).toEqual({ action: 'ack', reason: 'already CANCELLED' });
    expect(rendering.cancels).toEqual(['render-1']);
  });

  it('leaves a fresh start claim alone and fails an abandoned one without rendering again', async () => {
    const { db, rendering, deliver, clock } = setUp({ config: { claimLeaseMs: 60_000 } });
    const claimedAt = new Date(clock.now()).toISOString();
    db.insert({ id: 'job-1', status: 'RENDERING', startedAt: claimedAt });

    expect(await deliver('job-1')).toMatchObject({
      action: 'continue',
      reason: 'another delivery is starting this render',
    });

    clock.advance(61_000);
    expect(await deliver('job-1')).toEqual({
      action: 'ack',
      reason: `failed: ${ABANDONED_START_MESSAGE}`,
    });
    expect(db.jobs.get('job-1')!.status).toBe('FAILED');
    expect(rendering.startsByJob.size).toBe(0);
  });

  it('gives up from the DLQ: cancels a running render and fails the job, leaving terminal jobs alone', async () => {
    const { db, rendering, worker, deliver, clock } = setUp({
      script: () => ({ durationMs: 60_000 }),
    });
    db.insert({ id: 'job-1' });
    db.insert({ id: 'done', status: 'SUCCEEDED' });
    await deliver('job-1', 1, 5000);

    const outcome = await worker.giveUp({
      jobId: 'job-1',
      receiveCount: 1,
      deadlineMs: clock.now() + HOUR,
    });
    const untouched = await worker.giveUp({
      jobId: 'done',
      receiveCount: 1,
      deadlineMs: clock.now() + HOUR,
    });

    expect(outcome.action).toBe('ack');
    expect(rendering.cancels).toEqual(['render-1']);
    expect(db.jobs.get('job-1')!.status).toBe('FAILED');
    expect(db.jobs.get('job-1')!.errorMessage).toMatch(
      /^The render service gave up after 3 attempts/,
    );
    expect(untouched).toEqual({ action: 'ack', reason: 'already SUCCEEDED' });
    expect(db.jobs.get('done')!.status).toBe('SUCCEEDED');
  });

  it('applies outcomes through the queue: retry keeps the message, continue re-enqueues and deletes', async () => {
    let throttle = true;
    const { db, recording, worker, clock } = setUp({
      rendererFault: (operation) =>
        operation === 'start' && throttle ? throttlingError() : undefined,
      config: { renderCap: 1 },
    });
    db.insert({ id: 'job-1' });
    const message = messageOf(clock, 'job-1');

    expect(await worker.handleMessage(message)).toBe('keep');
    expect(recording.retries).toEqual([{ receiptHandle: 'rh-1', delaySeconds: 1, from: 'render' }]);

    throttle = false;
    db.insert({ id: 'other', status: 'RENDERING', renderId: 'x' });
    expect(await worker.handleMessage(message)).toBe('delete');
    expect(recording.continuations).toEqual([{ jobId: 'job-1', delaySeconds: expect.any(Number) }]);
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

  it('hands a dead letter back on the DLQ after its backoff when recording the failure hits a temporary error', async () => {
    let down = true;
    const { db, recording, worker, clock } = setUp({
      storeFault: (operation) => (operation === 'update' && down ? throttlingError() : undefined),
    });
    db.insert({ id: 'job-1' });
    const deadLetter = messageOf(clock, 'job-1', { receiptHandle: 'dlq-rh', deadLetter: true });

    expect(await worker.handleMessage(deadLetter)).toBe('keep');
    expect(recording.retries).toEqual([
      { receiptHandle: 'dlq-rh', delaySeconds: expect.any(Number), from: 'dead-letter' },
    ]);
    expect(recording.retries[0]!.delaySeconds).toBeLessThan(60);

    down = false;
    expect(await worker.handleMessage({ ...deadLetter, receiveCount: 2 })).toBe('delete');
    expect(db.jobs.get('job-1')!.status).toBe('FAILED');
  });

  it('never writes over a terminal state even when it loses a race', async () => {
    const { db, deliver } = setUp();
    const job: Partial<JobRecord> & { id: string } = {
      id: 'job-1',
      status: 'CANCELLED',
      renderId: 'r',
    };
    db.insert(job);

    await deliver('job-1');

    expect(db.patches.filter((p) => p.written)).toEqual([]);
    expect(db.statusHistory.get('job-1')).toEqual(['CANCELLED']);
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
