// What the lifecycle reports for the dashboard and alarms (JobMetrics) and what its log lines carry, over the
// in-memory fakes: one jobFinished per ended job whichever transition ended it, starts and cap waits with the
// renders in flight, and jobId, renderId and the owner's sub on every line about a job.
import { describe, expect, it } from 'vitest';
import {
  createRenderWorker,
  type WorkerSettings,
} from '../../../amplify/functions/render-worker/job-lifecycle';
import type { JobMetrics, RenderRequest } from '../../../amplify/functions/render-worker/ports';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
  parseTestInputProps,
  type RenderScript,
} from '../../support/worker-fakes';

const HOUR = 3_600_000;

type MetricEvent =
  | ({ kind: 'renderStarted' } & Parameters<JobMetrics['renderStarted']>[0])
  | ({ kind: 'renderCapReached' } & Parameters<JobMetrics['renderCapReached']>[0])
  | ({ kind: 'jobFinished' } & Parameters<JobMetrics['jobFinished']>[0]);

/** An in-memory JobMetrics: every event, in order. */
const createRecordingMetrics = () => {
  const events: MetricEvent[] = [];
  const metrics: JobMetrics = {
    renderStarted: (event) => events.push({ kind: 'renderStarted', ...event }),
    renderCapReached: (event) => events.push({ kind: 'renderCapReached', ...event }),
    jobFinished: (event) => events.push({ kind: 'jobFinished', ...event }),
  };
  return { metrics, events, finished: () => events.filter((e) => e.kind === 'jobFinished') };
};

const setUp = (
  options: {
    config?: Partial<WorkerSettings>;
    script?: (request: RenderRequest) => RenderScript;
  } = {},
) => {
  const clock = createFakeClock();
  const db = createInMemoryJobStore();
  const rendering = createScriptedRenderer(clock, { script: options.script });
  const recording = createRecordingMetrics();
  const lines: { message: string; details?: Record<string, unknown> }[] = [];
  // Each worker is one Lambda container: it knows only what it has read or written itself.
  const startWorker = () => {
    const worker = createRenderWorker({
      store: db.store,
      renderer: rendering.renderer,
      clock,
      queue: createRecordingQueue().queue,
      parseInputProps: parseTestInputProps,
      config: { renderCap: 2, stopBeforeDeadlineMs: 0, ...options.config },
      random: () => 0.5,
      metrics: recording.metrics,
      log: (message, details) => lines.push({ message, details }),
    });
    return (jobId: string, budgetMs = HOUR) =>
      worker.handleMessage({
        jobId,
        receiveCount: 1,
        deadlineMs: clock.now() + budgetMs,
        receiptHandle: `rh-${jobId}`,
      });
  };
  const handle = startWorker();
  return { clock, db, rendering, handle, startWorker, lines, ...recording };
};

describe('job metrics reported by the lifecycle', () => {
  it('reports a start with the renders in flight, then one SUCCEEDED with its render time and cost', async () => {
    const { db, handle, events } = setUp({ script: () => ({ durationMs: 5000 }) });
    db.insert({ id: 'other', status: 'RENDERING', renderId: 'elsewhere' });
    db.insert({ id: 'job-1', owner: 'sub-1::alice' });

    await handle('job-1');

    const job = db.jobs.get('job-1')!;
    expect(events).toEqual([
      { kind: 'renderStarted', jobId: 'job-1', renderId: 'render-1', rendersInFlight: 2 },
      {
        kind: 'jobFinished',
        jobId: 'job-1',
        outcome: 'SUCCEEDED',
        renderSeconds: 5,
        costUsd: job.costUsd,
      },
    ]);
    expect(job.costUsd).toBeCloseTo(0.005, 6);
  });

  it('reports a wait at the render cap with the renders that fill it, and no start', async () => {
    const { db, handle, events } = setUp({ config: { renderCap: 2 } });
    db.insert({ id: 'a', status: 'RENDERING', renderId: 'r-a' });
    db.insert({ id: 'b', status: 'RENDERING', renderId: 'r-b' });
    db.insert({ id: 'job-1' });

    await handle('job-1');

    expect(events).toEqual([{ kind: 'renderCapReached', jobId: 'job-1', rendersInFlight: 2 }]);
  });

  it('reports FAILED without a render time when the props are invalid, and CANCELLED for a queued cancel', async () => {
    const { db, handle, finished } = setUp();
    db.insert({ id: 'bad', inputProps: { title: '' } });
    db.insert({ id: 'cancelled', cancelRequested: true });

    await handle('bad');
    await handle('cancelled');

    expect(finished()).toEqual([
      { kind: 'jobFinished', jobId: 'bad', outcome: 'FAILED' },
      { kind: 'jobFinished', jobId: 'cancelled', outcome: 'CANCELLED' },
    ]);
  });

  it('reports a cancelled render with the time it ran and its cost, when another container ends it', async () => {
    const { db, handle, startWorker, clock, finished } = setUp({
      script: () => ({ durationMs: 60_000 }),
    });
    db.insert({ id: 'job-1' });
    await handle('job-1', 10_000); // tracks ~10 s, then continues in a fresh message
    db.requestCancel('job-1');
    clock.advance(1000);

    await startWorker()('job-1');

    const job = db.jobs.get('job-1')!;
    const startedAt = Date.parse(job.startedAt!);
    const finishedAt = Date.parse(job.finishedAt as string);
    expect(finished()).toEqual([
      {
        kind: 'jobFinished',
        jobId: 'job-1',
        outcome: 'CANCELLED',
        renderSeconds: (finishedAt - startedAt) / 1000,
        costUsd: job.costUsd,
      },
    ]);
    expect((finishedAt - startedAt) / 1000).toBeGreaterThanOrEqual(10);
  });

  it('reports a job once, however many deliveries see it end', async () => {
    const { db, handle, finished } = setUp({ script: () => ({ durationMs: 2000 }) });
    db.insert({ id: 'job-1' });

    await handle('job-1');
    await handle('job-1'); // a duplicate delivery of the same message

    expect(finished()).toHaveLength(1);
  });
});

describe('log lines about a job', () => {
  it('carry the jobId, the renderId and the owner sub (never the username) once they are known', async () => {
    const { db, handle, lines } = setUp({ script: () => ({ durationMs: 2000 }) });
    db.insert({ id: 'job-1', owner: 'sub-1::alice@example.com' });

    await handle('job-1');

    const handled = lines.find((line) => line.message === 'delivery handled');
    expect(handled?.details).toMatchObject({
      jobId: 'job-1',
      renderId: 'render-1',
      ownerSub: 'sub-1',
      action: 'ack',
      reason: 'succeeded',
    });
    expect(JSON.stringify(lines)).not.toContain('alice');
  });

  it('carry no renderId while the job has none (waiting at the render cap)', async () => {
    const { db, handle, lines } = setUp({ config: { renderCap: 1 } });
    db.insert({ id: 'busy', status: 'RENDERING', renderId: 'elsewhere' });
    db.insert({ id: 'job-1', owner: 'sub-2::bob', renderId: null });

    await handle('job-1');

    const handled = lines.find((line) => line.message === 'delivery handled');
    expect(handled?.details).toMatchObject({ jobId: 'job-1', ownerSub: 'sub-2' });
    expect(handled?.details).not.toHaveProperty('renderId');
  });
});
