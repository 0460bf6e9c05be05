import { describe, expect, it } from 'vitest';
import { ABANDONED_START_MESSAGE } from '../../../amplify/functions/render-worker/job-lifecycle';
import { ROW_BEING_STARTED_REASON } from '../../../amplify/functions/render-worker/job-endings';
import { HOUR, setUp } from '../../support/render-worker-setup';

describe('ending a job: cancel, abandoned start and the dead letter (job-endings.ts)', () => {
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

    // A batch row's second wake-up is dropped: the delivery starting it holds the row's own message.
    db.insert({
      id: 'row-1',
      status: 'RENDERING',
      startedAt: new Date(clock.now()).toISOString(),
      batchId: 'b',
    });
    expect(await deliver('row-1')).toEqual({ action: 'ack', reason: ROW_BEING_STARTED_REASON });
    expect(db.jobs.get('row-1')!.status).toBe('RENDERING');
    clock.advance(61_000);
    expect(await deliver('row-1')).toEqual({
      action: 'ack',
      reason: `failed: ${ABANDONED_START_MESSAGE}`,
    });
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
});
