import { describe, expect, it } from 'vitest';
import { OWNER_AT_LIMIT_REASON } from '../../../amplify/functions/render-worker/job-lifecycle';
import { throttlingError } from '../../support/worker-fakes';
import { HOUR, setUp } from '../../support/render-worker-setup';

describe('admission of a queued job: props, render slots, render cap, claim and start (admission.ts)', () => {
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

  it('keeps a job waiting in the queue (not failed) while its owner holds every render slot, and starts it once one frees', async () => {
    const { db, rendering, deliver } = setUp({
      config: { maxActiveJobsPerUser: 3, renderCap: 10, capWaitSeconds: 10 },
      script: () => ({ durationMs: 60_000 }),
    });
    for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) db.insert({ id, owner: 'sub-a::alice' });
    db.insert({ id: 'b1', owner: 'sub-b::bob' });
    // Three of Alice's renders run (each delivery stops early and continues later): they hold her three slots.
    for (const id of ['a1', 'a2', 'a3'])
      expect((await deliver(id, 1, 5000)).action).toBe('continue');

    // A fresh message after a jittered wait: no receive is spent, so waiting never reaches the DLQ.
    expect(await deliver('a4')).toEqual({
      action: 'continue',
      delaySeconds: 10,
      reason: OWNER_AT_LIMIT_REASON,
    });
    expect(db.jobs.get('a4')!.status).toBeUndefined();
    expect(db.jobs.get('a4')!.errorMessage).toBeUndefined();

    // Other users are not affected; once one of Alice's renders ends, its slot takes her next job.
    expect(await deliver('b1')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(await deliver('a1')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(await deliver('a5')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(rendering.startsByJob.has('a4')).toBe(false);
    expect([...db.slots.values()].map((slot) => slot.jobId).sort()).toEqual(['a2', 'a3']);
    // The waiting job's next delivery takes the freed slot and renders.
    expect(await deliver('a4')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(db.maxRenderingOf('sub-a::alice')).toBeLessThanOrEqual(3);
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
});
