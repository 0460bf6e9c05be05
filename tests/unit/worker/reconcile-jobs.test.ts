// The job reconciler (issue 18): a job whose queue message was lost is re-enqueued, once per bound, and the worker's
// idempotent lifecycle then starts, resumes, cancels or fails it, never rendering twice; slots of ended jobs are freed.
import { describe, expect, it } from 'vitest';
import {
  ABANDONED_START_MESSAGE,
  createRenderWorker,
} from '../../../amplify/functions/render-worker/job-lifecycle';
import {
  DEFAULT_RECONCILE_SETTINGS,
  reconcileJobs,
} from '../../../amplify/functions/render-worker/reconcile-jobs';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
  parseTestInputProps,
} from '../../support/worker-fakes';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const setUp = (options: { renderCap?: number; renderMs?: number } = {}) => {
  const clock = createFakeClock();
  const db = createInMemoryJobStore({ now: clock.now });
  const rendering = createScriptedRenderer(clock, {
    script: () => ({ durationMs: options.renderMs ?? 20_000 }),
  });
  const recording = createRecordingQueue();
  const worker = createRenderWorker({
    store: db.store,
    renderer: rendering.renderer,
    clock,
    queue: recording.queue,
    parseInputProps: parseTestInputProps,
    config: { renderCap: options.renderCap ?? 4, stopBeforeDeadlineMs: 0 },
    random: () => 0.5,
  });
  /** One delivery of `jobId`; its continuation message (if any) is dropped, as if lost. */
  const deliver = (jobId: string, budgetMs = HOUR) =>
    worker.processDelivery({ jobId, receiveCount: 1, deadlineMs: clock.now() + budgetMs });
  const reconcile = () => reconcileJobs({ store: db.store, queue: recording.queue, clock });
  const now = () => new Date(clock.now()).toISOString();
  return { clock, db, rendering, recording, deliver, reconcile, now };
};

describe('job reconciler', () => {
  it('re-enqueues a QUEUED job whose message was lost, once per bound; the worker then renders it once', async () => {
    const { clock, db, rendering, recording, deliver, reconcile } = setUp();
    db.insert({ id: 'lost', createdAt: new Date(clock.now()).toISOString() });

    clock.advance(DEFAULT_RECONCILE_SETTINGS.queuedUnseenMs - 1000);
    expect((await reconcile()).acted).toBe(0);
    clock.advance(2000);
    const summary = await reconcile();
    clock.advance(5 * MINUTE);
    const again = await reconcile();

    expect(summary).toMatchObject({
      checked: 1,
      requeued: { queued: ['lost'], rendering: [], cancelling: [] },
      acted: 1,
    });
    expect(recording.continuations).toEqual([{ jobId: 'lost', delaySeconds: 0 }]);
    // The fresh message counts as a sign of life: the next run, within the bound, leaves the job alone.
    expect(again.acted).toBe(0);
    expect(await deliver('lost')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(rendering.startsByJob.get('lost')).toBe(1);
    expect((await reconcile()).checked).toBe(0);
  });

  it('leaves alone a job waiting under the render cap: the worker stamps it while it waits', async () => {
    const { clock, db, recording, deliver, reconcile, now } = setUp({ renderCap: 1 });
    db.insert({ id: 'busy', owner: 'sub-b::bob', status: 'RENDERING', renderId: 'elsewhere' });
    db.insert({ id: 'waiting', createdAt: now() });

    for (let second = 0; second < 30 * 60; second += 10) {
      expect((await deliver('waiting')).reason).toBe('render cap reached');
      db.jobs.get('busy')!.updatedAt = now(); // its own worker pushes progress
      if (second % 300 === 0) expect((await reconcile()).acted).toBe(0);
      clock.advance(10_000);
    }
    expect(recording.continuations.filter((c) => c.jobId === 'waiting')).toHaveLength(0);
    expect(db.patches.filter((p) => p.patch.queueCheckedAt && p.written)).toHaveLength(5);
  });

  it('re-enqueues a RENDERING job nobody tracks; the worker resumes the same render, never a second', async () => {
    const { clock, db, rendering, deliver, reconcile } = setUp();
    db.insert({ id: 'orphan' });
    expect((await deliver('orphan', 5000)).action).toBe('continue'); // that continuation is lost

    clock.advance(DEFAULT_RECONCILE_SETTINGS.renderingSilentMs - 1000);
    expect((await reconcile()).acted).toBe(0);
    clock.advance(2000);
    expect((await reconcile()).requeued.rendering).toEqual(['orphan']);

    expect(await deliver('orphan')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(rendering.startsByJob.get('orphan')).toBe(1);
    expect(db.jobs.get('orphan')!.renderId).toBe('render-1');
  });

  it('re-enqueues an abandoned start only past the claim lease; the worker fails it without rendering', async () => {
    const { clock, db, rendering, deliver, reconcile, now } = setUp();
    db.insert({ id: 'claimed', status: 'RENDERING', startedAt: now(), updatedAt: now() });

    clock.advance(DEFAULT_RECONCILE_SETTINGS.claimLeaseMs - MINUTE);
    expect((await reconcile()).acted).toBe(0);
    clock.advance(2 * MINUTE);
    expect((await reconcile()).requeued.rendering).toEqual(['claimed']);

    expect(await deliver('claimed')).toEqual({
      action: 'ack',
      reason: `failed: ${ABANDONED_START_MESSAGE}`,
    });
    expect(rendering.startsByJob.size).toBe(0);
  });

  it('re-enqueues a cancel no worker heard, so a queued job ends CANCELLED and a running render stops', async () => {
    const { clock, db, rendering, deliver, reconcile } = setUp({ renderMs: 10 * MINUTE });
    db.insert({ id: 'queued' });
    db.insert({ id: 'running' });
    expect((await deliver('running', 5000)).action).toBe('continue'); // that continuation is lost
    db.requestCancel('queued');
    db.requestCancel('running');

    clock.advance(30_000);
    expect((await reconcile()).acted).toBe(0);
    clock.advance(31_000);
    const summary = await reconcile();

    expect(summary.requeued.cancelling.sort()).toEqual(['queued', 'running']);
    expect(await deliver('queued')).toEqual({ action: 'ack', reason: 'cancelled' });
    expect(await deliver('running')).toEqual({ action: 'ack', reason: 'cancelled' });
    expect(rendering.cancels).toEqual(['render-1']);
    expect(rendering.startsByJob.has('queued')).toBe(false);
    expect([...db.slots.values()]).toEqual([]);
  });

  it('frees slots whose job ended or is gone, and leaves young slots and active jobs’ slots alone', async () => {
    const { clock, db, reconcile } = setUp();
    db.insert({ id: 'ended', status: 'SUCCEEDED' });
    db.insert({ id: 'active' });
    for (const [slot, jobId] of ['ended', 'gone', 'active'].entries())
      await db.store.createRenderSlot({ jobOwner: 'sub-a::alice', slot, jobId });
    clock.advance(2 * MINUTE);
    db.insert({ id: 'ended-just-now', status: 'FAILED' });
    await db.store.createRenderSlot({ jobOwner: 'sub-b::bob', slot: 0, jobId: 'ended-just-now' });

    const summary = await reconcile();

    expect(summary.freedSlots).toEqual([
      { jobOwner: 'sub-a::alice', slot: 0, jobId: 'ended' },
      { jobOwner: 'sub-a::alice', slot: 1, jobId: 'gone' },
    ]);
    expect([...db.slots.keys()].sort()).toEqual(['sub-a::alice#2', 'sub-b::bob#0']);
    expect(summary.acted).toBe(2);
  });

  it('reports a job it could not re-enqueue and goes on with the others', async () => {
    const { clock, db, recording, reconcile } = setUp();
    db.insert({ id: 'first' });
    db.insert({ id: 'second' });
    const send = recording.queue.continueLater;
    recording.queue.continueLater = async (jobId, delaySeconds) => {
      if (jobId === 'first') throw new Error('AWS.SimpleQueueService.NonExistentQueue');
      return send(jobId, delaySeconds);
    };
    clock.advance(HOUR);

    const summary = await reconcile();

    expect(summary.requeued.queued).toEqual(['second']);
    expect(summary.errors).toEqual([
      { id: 'first', message: expect.stringContaining('NonExistentQueue') },
    ]);
    expect(db.jobs.get('first')!.queueCheckedAt).toBeUndefined();
  });

  describe('batch rows waiting in the table', () => {
    const ALICE = 'sub-a::alice';
    const row = (id: string, extra: Record<string, unknown> = {}) => ({
      id,
      owner: ALICE,
      status: 'QUEUED' as const,
      batchId: 'b1',
      rowOwner: ALICE,
      ...extra,
    });

    it('never re-enqueues them as lost, and wakes the first ones into the free slots once the rows are idle', async () => {
      const { clock, db, recording, reconcile } = setUp();
      for (let index = 0; index < 5; index += 1) db.insert(row(`b1-row-0000${index}`));
      clock.advance(HOUR);

      const summary = await reconcile();

      // No 'queued' re-enqueue for rows that never had a message; the oldest rows woken, as many as the limit (3).
      expect(summary.requeued.queued).toEqual([]);
      expect(summary.wokenRows).toEqual(['b1-row-00000', 'b1-row-00001', 'b1-row-00002']);
      expect(recording.rowWakes).toEqual(summary.wokenRows.map((jobId) => ({ jobId, passes: 0 })));
      expect(recording.continuations).toEqual([]);
      // Waking is the rows' normal way back, not a fault: the alarm's count stays 0.
      expect(summary.acted).toBe(0);
    });

    it("wakes only as many rows as the owner's slots that no job holds or renders under", async () => {
      const { clock, db, recording, reconcile } = setUp();
      // Alice (limit 3): a row rendering, and a single job holding a slot (found through her rows' owner).
      db.insert(row('b1-row-00000', { status: 'RENDERING', renderId: 'r-0', startedAt: 'x' }));
      db.insert({ id: 'single', owner: ALICE, status: 'QUEUED' });
      await db.store.createRenderSlot({ jobOwner: ALICE, slot: 1, jobId: 'single' });
      for (const id of ['b1-row-00001', 'b1-row-00002', 'b1-row-00003']) db.insert(row(id));
      clock.advance(5 * MINUTE);
      // Both of Alice's active jobs show signs of life: neither is taken for lost.
      for (const id of ['b1-row-00000', 'single'])
        db.jobs.get(id)!.updatedAt = new Date(clock.now()).toISOString();

      const summary = await reconcile();

      expect(summary.wokenRows).toEqual(['b1-row-00001']);
      expect(recording.rowWakes).toEqual([{ jobId: 'b1-row-00001', passes: 0 }]);
      expect(summary.requeued).toEqual({ queued: [], rendering: [], cancelling: [] });
    });

    it('counts every slot an owner holds, as reads report the owner, and only slots this run did not free', async () => {
      const { clock, db, recording, reconcile } = setUp();
      // Reads shorten `owner`; a row's `rowOwner` is the owner as stored. Dana's single job is hers through her rows.
      const DANA = 'sub-d::dana';
      const dana = (extra: Record<string, unknown> = {}) => ({
        owner: 'sub-d',
        rowOwner: DANA,
        batchId: 'b4',
        ...extra,
      });
      db.insert({ id: 'dana-single', owner: 'sub-d', status: 'RENDERING', renderId: 'r-s' });
      db.insert(
        row('b4-row-00000', dana({ status: 'RENDERING', renderId: 'r-0', startedAt: 'x' })),
      );
      for (const id of ['b4-row-00001', 'b4-row-00002']) db.insert(row(id, dana()));
      // Two racing admissions gave row 0 two slots; the single job holds the third (limit 3).
      await db.store.createRenderSlot({ jobOwner: 'sub-d', slot: 0, jobId: 'b4-row-00000' });
      await db.store.createRenderSlot({ jobOwner: 'sub-d', slot: 1, jobId: 'b4-row-00000' });
      await db.store.createRenderSlot({ jobOwner: 'sub-d', slot: 2, jobId: 'dana-single' });
      clock.advance(5 * MINUTE);
      for (const id of ['b4-row-00000', 'dana-single'])
        db.jobs.get(id)!.updatedAt = new Date(clock.now()).toISOString();

      expect((await reconcile()).wokenRows).toEqual([]);

      // The single job ended without releasing its slot: this run frees it, and fills it at once.
      db.jobs.get('dana-single')!.status = 'SUCCEEDED';
      const summary = await reconcile();
      expect(summary.freedSlots).toEqual([{ jobOwner: 'sub-d', slot: 2, jobId: 'dana-single' }]);
      expect(summary.wokenRows).toEqual(['b4-row-00001']);
      expect(recording.rowWakes).toEqual([{ jobId: 'b4-row-00001', passes: 0 }]);
    });

    it('leaves them alone while every slot of the owner is held, or a row is new', async () => {
      const { clock, db, recording, reconcile } = setUp();
      const BOB = 'sub-b::bob';
      const bobs = (index: number) => `b2-row-0000${index}`;
      const bob = { owner: BOB, rowOwner: BOB, batchId: 'b2' };
      db.insert(row(bobs(0), { ...bob, status: 'RENDERING', renderId: 'r-0', startedAt: 'x' }));
      for (const index of [1, 2, 3]) db.insert(row(bobs(index), bob));
      for (const slot of [0, 1, 2])
        await db.store.createRenderSlot({ jobOwner: BOB, slot, jobId: bobs(slot) });
      const CAROL = 'sub-c::carol';
      db.insert(row('b3-row-00000', { owner: CAROL, rowOwner: CAROL, batchId: 'b3' }));
      clock.advance(5 * MINUTE);
      // Carol added a row just now: the add woke her first rows itself.
      db.insert(
        row('b3-row-00001', {
          owner: CAROL,
          rowOwner: CAROL,
          batchId: 'b3',
          createdAt: new Date(clock.now()).toISOString(),
        }),
      );
      // Bob's slot holders live (one renders, two wait under the render cap with a message).
      for (const index of [0, 1, 2])
        db.jobs.get(bobs(index))!.updatedAt = new Date(clock.now()).toISOString();

      const summary = await reconcile();

      expect(summary.wokenRows).toEqual([]);
      expect(recording.rowWakes).toEqual([]);
      expect(recording.continuations).toEqual([]);
    });

    it('treats a row in retry backoff, with a cancel pending or holding a slot like any job: it has a message', async () => {
      const { clock, db, reconcile } = setUp();
      db.insert(row('b1-row-00000', { attempts: 1 }));
      db.insert(row('b1-row-00001', { cancelRequested: true }));
      // Woken, admitted to a slot, then the render cap was full: it waits under the cap with a message.
      db.insert(row('b1-row-00002'));
      await db.store.createRenderSlot({ jobOwner: ALICE, slot: 0, jobId: 'b1-row-00002' });
      clock.advance(HOUR);

      const summary = await reconcile();

      expect(summary.requeued.queued.sort()).toEqual(['b1-row-00000', 'b1-row-00002']);
      expect(summary.requeued.cancelling).toEqual(['b1-row-00001']);
      expect(summary.wokenRows).toEqual([]);
    });

    it('wakes rows the worker then starts within the limit, leaving the others waiting', async () => {
      const { clock, db, deliver, reconcile, rendering } = setUp();
      for (let index = 0; index < 5; index += 1) db.insert(row(`b1-row-0000${index}`));
      clock.advance(HOUR);
      const { wokenRows } = await reconcile();

      for (const jobId of wokenRows) await deliver(jobId, 3000);

      expect([...rendering.startsByJob.keys()].sort()).toEqual(wokenRows);
      expect(db.jobs.get('b1-row-00003')!.status).toBe('QUEUED');
    });
  });
});
