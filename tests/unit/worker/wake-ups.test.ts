import { describe, expect, it } from 'vitest';
import { parseJobMessage } from '../../../amplify/functions/render-worker/sqs-handler';
import { HOUR, messageOf, setUp } from '../../support/render-worker-setup';

/** docs/architecture.md, "Completion from Remotion's webhook": a wake-up looks at its render once. */
describe("wake-ups from Remotion's webhook (render-tracking.ts, job-lifecycle.ts)", () => {
  const wake = (
    worker: ReturnType<typeof setUp>['worker'],
    clock: ReturnType<typeof setUp>['clock'],
    jobId: string,
    renderId: string,
  ) =>
    worker.processDelivery({
      jobId,
      receiveCount: 1,
      deadlineMs: clock.now() + HOUR,
      wakeFor: renderId,
    });

  it('ends a job whose render is done with one progress read, while its tracker sleeps', async () => {
    let progressReads = 0;
    const { db, worker, clock, deliver } = setUp({
      script: () => ({ durationMs: 5000 }),
      config: { pollIntervalMs: 30_000 },
      rendererFault: (operation) => {
        if (operation === 'getProgress') progressReads += 1;
        return undefined;
      },
    });
    db.insert({ id: 'job-1' });
    // The tracker's budget ends before its first 30 s poll: it hands over, the render keeps going.
    expect((await deliver('job-1', 1, 20_000)).action).toBe('continue');
    clock.advance(6000);
    const readsBefore = progressReads;

    expect(await wake(worker, clock, 'job-1', 'render-1')).toEqual({
      action: 'ack',
      reason: 'succeeded',
    });

    expect(progressReads - readsBefore).toBe(1);
    expect(db.jobs.get('job-1')!.status).toBe('SUCCEEDED');
  });

  it('leaves a render still running to its tracker: one read, no write', async () => {
    const { db, worker, clock, deliver } = setUp({ script: () => ({ durationMs: 60_000 }) });
    db.insert({ id: 'job-1' });
    await deliver('job-1', 1, 5000);
    const writes = db.patches.length;

    const outcome = await wake(worker, clock, 'job-1', 'render-1');

    expect(outcome).toEqual({
      action: 'ack',
      reason: 'woken for render render-1, which its tracker still follows',
    });
    expect(db.patches.length).toBe(writes);
    expect(db.jobs.get('job-1')!.status).toBe('RENDERING');
  });

  it('never starts a render: a wake-up for a queued job, or another render, is acknowledged', async () => {
    const { db, rendering, worker, clock } = setUp();
    db.insert({ id: 'queued' });

    expect(await wake(worker, clock, 'queued', 'render-9')).toEqual({
      action: 'ack',
      reason: 'woken for render render-9, but the job is queued',
    });
    expect(rendering.startsByJob.get('queued')).toBeUndefined();
    expect(db.jobs.get('queued')!.status ?? 'QUEUED').toBe('QUEUED');
  });

  it('drops a dead-lettered wake-up without failing the job', async () => {
    const { db, worker, clock, deliver } = setUp({ script: () => ({ durationMs: 60_000 }) });
    db.insert({ id: 'job-1' });
    await deliver('job-1', 1, 5000);

    const verdict = await worker.handleMessage({
      ...messageOf(clock, 'job-1', { deadLetter: true }),
      wakeFor: 'render-1',
    });

    expect(verdict).toBe('delete');
    expect(db.jobs.get('job-1')!.status).toBe('RENDERING');
  });

  it('drops a wake-up it could not settle, never handing it back or continuing it: the tracker settles the job', async () => {
    let failWrites = false;
    const { db, worker, clock, deliver, recording } = setUp({
      script: () => ({ durationMs: 5000 }),
      config: { pollIntervalMs: 30_000 },
      storeFault: (operation) =>
        failWrites && operation === 'update' ? new Error('AppSync answered 503') : undefined,
    });
    db.insert({ id: 'job-1' });
    expect((await deliver('job-1', 1, 20_000)).action).toBe('continue');
    const continuations = recording.continuations.length;
    clock.advance(6000);
    failWrites = true;
    // The wake-up reaches the job's end, whose write fails: on its own, the delivery would not be acknowledged.
    const outcome = await worker.processDelivery({
      ...messageOf(clock, 'job-1'),
      wakeFor: 'render-1',
    });
    expect(outcome.action).not.toBe('ack');

    const verdict = await worker.handleMessage({
      ...messageOf(clock, 'job-1'),
      wakeFor: 'render-1',
    });

    // Yet it is deleted: the wake-up queue holds it, not the render queue; no hand-back there, and no second tracker.
    expect(verdict).toBe('delete');
    expect(recording.retries).toEqual([]);
    expect(recording.continuations).toHaveLength(continuations);
    expect(db.jobs.get('job-1')!.status).toBe('RENDERING');
    failWrites = false;
    expect((await deliver('job-1')).action).toBe('ack');
    expect(db.jobs.get('job-1')!.status).toBe('SUCCEEDED');
  });

  it('reads wakeFor from the message body, and plain { jobId } messages as before', () => {
    expect(parseJobMessage('{"jobId":"job-1","wakeFor":"render-1"}')).toEqual({
      jobId: 'job-1',
      wakeFor: 'render-1',
    });
    expect(parseJobMessage('{"jobId":"job-1"}')).toEqual({ jobId: 'job-1' });
  });
});
