// The reads a start spends (issue 15, pipeline throughput): a look at the render cap this worker made a moment ago
// stands in for the look before a claim, and a job's end deletes the slot this worker admitted it to without listing
// the owner's slots first. Neither may loosen a limit: the look after the claim and the conditional delete decide.
import { describe, expect, it } from 'vitest';
import { CAP_LOOK_FRESH_MS } from '../../../amplify/functions/render-worker/admission';
import { createRenderSlots } from '../../../amplify/functions/render-worker/render-slots';
import { createInMemoryJobStore } from '../../support/worker-fakes';
import { setUp } from '../../support/render-worker-setup';

/** The worker of render-worker-setup with each store operation counted, renders over at their first look. */
const countingSetUp = (renderCap: number) => {
  const calls: string[] = [];
  const setup = setUp({
    config: { renderCap },
    script: () => ({ durationMs: 0 }),
    storeFault: (operation) => {
      calls.push(operation);
      return undefined;
    },
  });
  const count = (operation: string) => calls.filter((call) => call === operation).length;
  return { ...setup, calls, count };
};

describe('reads per start: the look before a claim', () => {
  it('is skipped right after this worker saw room, and the look after the claim still refuses an over-cap start', async () => {
    const { db, rendering, deliver, calls, count } = countingSetUp(3);
    db.insert({ id: 'first' });
    expect(await deliver('first')).toEqual({ action: 'ack', reason: 'succeeded' });
    // Nothing rendered beside it: two looks, before and after its claim.
    expect(count('listRenderingJobs')).toBe(2);

    // Meanwhile other workers filled the cap.
    for (const id of ['busy-1', 'busy-2', 'busy-3'])
      db.insert({ id, status: 'RENDERING', renderId: `elsewhere-${id}` });
    db.insert({ id: 'second' });
    calls.length = 0;

    const outcome = await deliver('second');

    expect(count('listRenderingJobs')).toBe(1);
    expect(outcome).toMatchObject({
      action: 'continue',
      reason: 'render cap reached while claiming',
    });
    expect(db.jobs.get('second')!.status).toBe('QUEUED');
    expect(db.jobs.get('second')!.startedAt ?? null).toBeNull();
    expect(rendering.startsByJob.has('second')).toBe(false);
  });

  it('is made when the last look is older than the freshness window', async () => {
    const { db, clock, rendering, deliver, count, calls } = countingSetUp(3);
    db.insert({ id: 'first' });
    await deliver('first');
    for (const id of ['busy-1', 'busy-2', 'busy-3'])
      db.insert({ id, status: 'RENDERING', renderId: `elsewhere-${id}` });
    db.insert({ id: 'second' });
    clock.advance(CAP_LOOK_FRESH_MS);
    calls.length = 0;

    expect(await deliver('second')).toMatchObject({ reason: 'render cap reached' });
    expect(count('listRenderingJobs')).toBe(1);
    // Refused before any claim: the job was never written RENDERING.
    expect(count('update')).toBe(0);
    expect(rendering.startsByJob.has('second')).toBe(false);
  });

  it('is made when the last look saw the cap full once the next render is counted', async () => {
    const { db, deliver, count, calls } = countingSetUp(3);
    db.insert({ id: 'busy-1', status: 'RENDERING', renderId: 'elsewhere-1' });
    db.insert({ id: 'busy-2', status: 'RENDERING', renderId: 'elsewhere-2' });
    db.insert({ id: 'first' });
    // Its last look: two other renders beside it, so no place for another while they last.
    expect(await deliver('first')).toEqual({ action: 'ack', reason: 'succeeded' });
    db.insert({ id: 'busy-3', status: 'RENDERING', renderId: 'elsewhere-3' });
    db.insert({ id: 'second' });
    calls.length = 0;

    expect(await deliver('second')).toMatchObject({ reason: 'render cap reached' });
    expect(count('update')).toBe(0);
  });
});

describe('reads per start: the release of a render slot', () => {
  const ALICE = 'sub-a::alice';

  it('deletes the slot it admitted the job to without listing the owner’s slots', async () => {
    const { db, deliver, count } = countingSetUp(3);
    db.insert({ id: 'job-1', owner: ALICE });

    expect(await deliver('job-1')).toEqual({ action: 'ack', reason: 'succeeded' });

    expect(db.slots.size).toBe(0);
    expect(count('listRenderSlots')).toBe(1); // the admission's; the release listed nothing
    expect(count('deleteRenderSlot')).toBe(1);
  });

  it('lists the owner’s slots when the remembered one is no longer the job’s, and frees what it holds', async () => {
    const db = createInMemoryJobStore();
    const calls: string[] = [];
    const slots = createRenderSlots(db.store, 2);
    const job = { id: 'job-1', owner: ALICE };
    const admitted = await slots.admit(job);
    expect(admitted).toMatchObject({ admitted: true });
    const taken = admitted.admitted ? admitted.slot : -1;
    // Someone else freed that slot (the reconciler) and the job then took the other one in another delivery.
    await db.store.deleteRenderSlot({ jobOwner: ALICE, slot: taken, jobId: 'job-1' });
    await db.store.createRenderSlot({ jobOwner: ALICE, slot: 1 - taken, jobId: 'job-1' });
    const counted = createRenderSlots(
      {
        ...db.store,
        listRenderSlots: (owner) => (calls.push('list'), db.store.listRenderSlots(owner)),
      },
      2,
    );
    // A fresh worker remembers nothing and lists; the first one tries its slot, then lists.
    expect(await slots.release(job)).toBe(1);
    expect(db.slots.size).toBe(0);
    expect(await counted.release(job)).toBe(0);
    expect(calls).toEqual(['list']);
  });

  it('never deletes a slot another job holds now', async () => {
    const db = createInMemoryJobStore();
    const slots = createRenderSlots(db.store, 1);
    const admitted = await slots.admit({ id: 'job-1', owner: ALICE });
    expect(admitted).toEqual({ admitted: true, slot: 0, alreadyHeld: false });
    expect(await slots.admit({ id: 'job-1', owner: ALICE })).toEqual({
      admitted: true,
      slot: 0,
      alreadyHeld: true,
    });
    // job-1's slot was freed by the reconciler and job-2 took it.
    await db.store.deleteRenderSlot({ jobOwner: ALICE, slot: 0, jobId: 'job-1' });
    await db.store.createRenderSlot({ jobOwner: ALICE, slot: 0, jobId: 'job-2' });

    expect(await slots.release({ id: 'job-1', owner: ALICE })).toBe(0);
    expect([...db.slots.values()].map((slot) => slot.jobId)).toEqual(['job-2']);
  });
});
