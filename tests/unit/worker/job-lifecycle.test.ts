import { describe, expect, it } from 'vitest';
import { type JobRecord } from '../../../amplify/functions/render-worker/ports';
import { setUp } from '../../support/render-worker-setup';

describe('render worker: one delivery, dispatched by the phase of the job (job-lifecycle.ts)', () => {
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
      // No format or scale on the job: the default, MP4 at 1×.
      output: { outputFormat: 'mp4', scale: 1 },
    });
    // Kept for the default retention, counted from the end of the render.
    expect(Date.parse(String(job.expiresAt)) - Date.parse(String(job.finishedAt))).toBe(
      30 * 24 * 3600 * 1000,
    );
  });

  it('acknowledges terminal and missing jobs without writing anything', async () => {
    const { db, deliver } = setUp();
    db.insert({ id: 'done', status: 'SUCCEEDED' });

    expect(await deliver('done')).toEqual({ action: 'ack', reason: 'already SUCCEEDED' });
    expect(await deliver('missing')).toEqual({ action: 'ack', reason: 'job not found' });
    expect(db.patches).toEqual([]);
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
