// The per-user limit as render slots (issue 18): a job holds one of its owner's slots from admission to its end,
// and only a conditional create takes one, so racing starts cannot exceed the limit whatever the reads say.
import { describe, expect, it } from 'vitest';
import {
  handOffFreedSlots,
  MAX_ROW_WAKE_PASSES,
  WAKE_CANDIDATES_PER_WAKE,
  WAKES_PER_FREED_SLOT,
} from '../../../amplify/functions/render-worker/render-slots';
import {
  createRenderWorker,
  OWNER_AT_LIMIT_REASON,
  ROW_WAKE_PASSED_ON_REASON,
  ROW_WAITS_IN_TABLE_REASON,
  type WorkerSettings,
} from '../../../amplify/functions/render-worker/job-lifecycle';
import type {
  ActiveJob,
  JobRecord,
  RenderRequest,
} from '../../../amplify/functions/render-worker/ports';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
  parseTestInputProps,
  type RenderScript,
} from '../../support/worker-fakes';

const HOUR = 3_600_000;
const ALICE = 'sub-a::alice';

const setUp = (
  options: { config?: Partial<WorkerSettings>; script?: (r: RenderRequest) => RenderScript } = {},
) => {
  const clock = createFakeClock();
  const db = createInMemoryJobStore({ now: clock.now });
  const rendering = createScriptedRenderer(clock, { script: options.script });
  const recording = createRecordingQueue();
  const worker = createRenderWorker({
    store: db.store,
    renderer: rendering.renderer,
    clock,
    queue: recording.queue,
    parseInputProps: parseTestInputProps,
    config: { renderCap: 10, stopBeforeDeadlineMs: 0, ...options.config },
    random: () => 0.5,
  });
  const deliver = (jobId: string, budgetMs = HOUR, rowWake?: number) =>
    worker.processDelivery({
      jobId,
      receiveCount: 1,
      deadlineMs: clock.now() + budgetMs,
      ...(rowWake === undefined ? {} : { rowWake }),
    });
  return { clock, db, rendering, recording, worker, deliver };
};

/**
 * The owner index as a secondary index may answer right after two creates: each job sees itself, not the other.
 * (The old admission counted this index; the slots never read it.)
 */
const laggingOwnerIndex = async (job: Pick<JobRecord, 'id' | 'owner' | 'createdAt'>) => [
  { id: job.id, owner: job.owner, status: 'QUEUED', createdAt: job.createdAt } as ActiveJob,
];

/** A delivery of a row's wake-up (`{ jobId, rowWake: passes }`) through the worker of `setUp`. */
const deliverWake = (
  deliver: ReturnType<typeof setUp>['deliver'],
  jobId: string,
  passes: number,
  budgetMs = HOUR,
) => deliver(jobId, budgetMs, passes);

const slotHolders = (db: ReturnType<typeof createInMemoryJobStore>) =>
  [...db.slots.values()].map((slot) => slot.jobId).sort();

describe('per-user limit (render slots)', () => {
  it('admits one of two racing starts at a limit of one, even when the owner index lags', async () => {
    const { db, rendering, deliver } = setUp({ config: { maxActiveJobsPerUser: 1 } });
    Object.assign(db.store, { listActiveJobsOfOwner: laggingOwnerIndex });
    db.insert({ id: 'a1', owner: ALICE });
    db.insert({ id: 'a2', owner: ALICE });

    const outcomes = await Promise.all([deliver('a1'), deliver('a2')]);

    expect(outcomes.map((outcome) => outcome.action).sort()).toEqual(['ack', 'continue']);
    expect(outcomes.find((outcome) => outcome.action === 'continue')?.reason).toBe(
      OWNER_AT_LIMIT_REASON,
    );
    const statuses = ['a1', 'a2'].map((id) => db.jobs.get(id)!.status ?? 'QUEUED').sort();
    expect(statuses).toEqual(['QUEUED', 'SUCCEEDED']);
    expect([...rendering.startsByJob.values()].reduce((sum, n) => sum + n, 0)).toBe(1);
    expect(db.maxRenderingOf(ALICE)).toBe(1);
    // The waiting one starts on its next delivery, the slot now free.
    const waiting = ['a1', 'a2'].find((id) => db.jobs.get(id)!.status === undefined)!;
    expect(await deliver(waiting)).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(db.maxRenderingOf(ALICE)).toBe(1);
  });

  it('holds the limit when every read of the slots is stale: only the conditional create admits', async () => {
    const { db, rendering, deliver } = setUp({ config: { maxActiveJobsPerUser: 2 } });
    // An eventually consistent listing at its worst: it never shows a slot.
    db.store.listRenderSlots = async () => [];
    const ids = ['a1', 'a2', 'a3', 'a4', 'a5'];
    for (const id of ids) db.insert({ id, owner: ALICE });

    await Promise.all(ids.map((id) => deliver(id)));

    expect(ids.filter((id) => db.jobs.get(id)!.status === 'SUCCEEDED')).toHaveLength(2);
    expect(ids.filter((id) => db.jobs.get(id)!.status === undefined)).toHaveLength(3);
    expect(rendering.startsByJob.size).toBe(2);
    expect(db.maxRenderingOf(ALICE)).toBeLessThanOrEqual(2);
  });

  it('keeps the slot of a job waiting under the render cap across its deliveries', async () => {
    const { db, deliver } = setUp({ config: { maxActiveJobsPerUser: 1, renderCap: 1 } });
    db.insert({ id: 'busy', owner: 'sub-b::bob', status: 'RENDERING', renderId: 'elsewhere' });
    db.insert({ id: 'a1', owner: ALICE });

    expect(await deliver('a1')).toMatchObject({ action: 'continue', reason: 'render cap reached' });
    expect(await deliver('a1')).toMatchObject({ action: 'continue', reason: 'render cap reached' });
    expect(slotHolders(db)).toEqual(['a1']);

    db.jobs.get('busy')!.status = 'SUCCEEDED';
    expect(await deliver('a1')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(slotHolders(db)).toEqual([]);
  });

  it.each([
    ['succeeded', {}, undefined],
    ['failed by the renderer', { failAtProgress: 0.5 }, undefined],
    ['cancelled while rendering', {}, 'cancel'],
  ] as const)('releases the slot when the job ends: %s', async (_name, script, act) => {
    const { db, deliver } = setUp({ script: () => ({ durationMs: 10_000, ...script }) });
    db.insert({ id: 'a1', owner: ALICE });
    expect((await deliver('a1', 3000)).action).toBe('continue');
    expect(slotHolders(db)).toEqual(['a1']);
    if (act === 'cancel') db.requestCancel('a1');

    expect((await deliver('a1')).action).toBe('ack');

    expect(slotHolders(db)).toEqual([]);
  });

  it('releases the slot when the DLQ gives the job up', async () => {
    const { db, worker, deliver, clock } = setUp({ script: () => ({ durationMs: 10_000 }) });
    db.insert({ id: 'a1', owner: ALICE });
    await deliver('a1', 3000);
    expect(slotHolders(db)).toEqual(['a1']);

    await worker.giveUp({ jobId: 'a1', receiveCount: 1, deadlineMs: clock.now() + HOUR });

    expect(db.jobs.get('a1')!.status).toBe('FAILED');
    expect(slotHolders(db)).toEqual([]);
  });

  it('gives back the slot a duplicate delivery took after reading the job before it ended', async () => {
    const { db, rendering, deliver } = setUp();
    db.insert({ id: 'a1', owner: ALICE });
    const readBeforeTheEnd = await db.store.get('a1');
    expect(await deliver('a1')).toEqual({ action: 'ack', reason: 'succeeded' });
    const get = db.store.get;
    let stale = true;
    db.store.get = async (jobId) => (stale ? ((stale = false), readBeforeTheEnd) : get(jobId));

    // It admits the job it thinks QUEUED (taking the freed slot), loses the claim, reads again: SUCCEEDED.
    expect(await deliver('a1')).toEqual({ action: 'ack', reason: 'already SUCCEEDED' });

    expect(slotHolders(db)).toEqual([]);
    expect(rendering.startsByJob.get('a1')).toBe(1);
  });

  it.each([
    ["a row's two wake-ups (two ends that raced woke it)", 0],
    ['two deliveries of one message', undefined],
  ] as const)(
    'gives back the second slot when %s are admitted at the same moment',
    async (_name, rowWake) => {
      const { db, deliver, recording, rendering } = setUp({
        config: { maxActiveJobsPerUser: 3 },
        script: () => ({ durationMs: 10_000 }),
      });
      const rows = ['b1-row-00000', 'b1-row-00001', 'b1-row-00002'];
      for (const id of rows)
        db.insert({ id, owner: ALICE, status: 'QUEUED', batchId: 'b1', rowOwner: ALICE });
      const createSlot = db.store.createRenderSlot;
      let created = 0;
      db.store.createRenderSlot = async (slot) => {
        const taken = await createSlot(slot);
        if (taken) created += 1;
        return taken;
      };

      const outcomes = await Promise.all([
        deliver(rows[0]!, 3000, rowWake),
        deliver(rows[0]!, 3000, rowWake),
      ]);

      // Both listed the slots before either took one, so each took a slot of its own; one lost the claim.
      expect(created).toBe(2);
      expect(rendering.startsByJob.get(rows[0]!)).toBe(1);
      expect(outcomes.map((outcome) => outcome.action)).toContain('continue');
      // The row holds one slot, and the other went to a waiting row: the wake-up passed on, or the slot handed off.
      expect(slotHolders(db)).toEqual([rows[0]]);
      expect(recording.rowWakes).toEqual([
        { jobId: expect.stringMatching(/^b1-row-0000[12]$/), passes: rowWake === 0 ? 1 : 0 },
      ]);
    },
  );

  it("frees, at the owner's next admission, a slot whose job ended without releasing it", async () => {
    const { db, deliver, clock } = setUp({ config: { maxActiveJobsPerUser: 1 } });
    // Its worker died between the terminal write and the release.
    db.insert({ id: 'old', owner: ALICE, status: 'SUCCEEDED' });
    await db.store.createRenderSlot({ jobOwner: ALICE, slot: 0, jobId: 'old' });
    db.insert({ id: 'a1', owner: ALICE });
    // A young slot is not checked (a waiting delivery reads no job per held slot): the job waits.
    const gets: string[] = [];
    const get = db.store.get;
    db.store.get = async (jobId) => (gets.push(jobId), get(jobId));
    expect((await deliver('a1')).reason).toBe(OWNER_AT_LIMIT_REASON);
    expect(gets).toEqual(['a1']);
    clock.advance(60_000);

    expect(await deliver('a1')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(db.jobs.get('a1')!.status).toBe('SUCCEEDED');
  });

  it('leaves a batch row whose owner holds every slot waiting in the table (no message), a single job parked briefly', async () => {
    const { db, deliver, recording } = setUp({
      config: { maxActiveJobsPerUser: 1, capWaitSeconds: 10, ownerWaitSeconds: 180 },
      script: () => ({ durationMs: 10_000 }),
    });
    db.insert({ id: 'a1', owner: ALICE });
    db.insert({
      id: 'b1-row-00000',
      owner: ALICE,
      status: 'QUEUED',
      batchId: 'b1',
      rowOwner: ALICE,
    });
    // A row in retry backoff keeps a message and its wait: no hand-off wakes it early.
    db.insert({
      id: 'b1-row-00001',
      owner: ALICE,
      status: 'QUEUED',
      batchId: 'b1',
      rowOwner: ALICE,
      attempts: 1,
    });
    db.insert({ id: 'single', owner: ALICE });
    expect((await deliver('a1', 3000)).action).toBe('continue');

    expect(await deliver('b1-row-00000')).toEqual({
      action: 'ack',
      reason: ROW_WAITS_IN_TABLE_REASON,
    });
    // random() is 0.5: the base delay exactly.
    expect(await deliver('b1-row-00001')).toEqual({
      action: 'continue',
      delaySeconds: 180,
      reason: OWNER_AT_LIMIT_REASON,
    });
    expect(await deliver('single')).toEqual({
      action: 'continue',
      delaySeconds: 10,
      reason: OWNER_AT_LIMIT_REASON,
    });
    // The waiting row is untouched: still QUEUED, nothing written, no message sent for it.
    expect(db.jobs.get('b1-row-00000')!.status).toBe('QUEUED');
    expect(db.patches.filter((p) => p.jobId === 'b1-row-00000')).toEqual([]);
    expect(recording.continuations.map((c) => c.jobId)).not.toContain('b1-row-00000');
    expect(recording.rowWakes.map((c) => c.jobId)).not.toContain('b1-row-00000');
  });

  it("hands a freed slot at once to one of the owner's waiting rows, no one else's", async () => {
    const { db, deliver, recording, clock, rendering } = setUp({
      config: { maxActiveJobsPerUser: 1 },
      script: () => ({ durationMs: 10_000 }),
    });
    const BOB = 'sub-b::bob';
    for (const id of ['b1-row-00000', 'b1-row-00001', 'b1-row-00002', 'b1-row-00003'])
      db.insert({ id, owner: ALICE, status: 'QUEUED', batchId: 'b1', rowOwner: ALICE });
    db.insert({ id: 'b2-row-00000', owner: BOB, status: 'QUEUED', batchId: 'b2', rowOwner: BOB });
    db.insert({ id: 'bob-1', owner: BOB, status: 'QUEUED' });
    expect((await deliver('b1-row-00000', 3000)).action).toBe('continue');
    expect((await deliver('b1-row-00001')).reason).toBe(ROW_WAITS_IN_TABLE_REASON);
    expect(recording.rowWakes).toEqual([]);

    clock.advance(10_000);
    expect(await deliver('b1-row-00000')).toEqual({ action: 'ack', reason: 'succeeded' });

    // Woken now, as a row's wake-up passed on 0 times: one of Alice's three waiting rows; none of Bob's.
    expect(recording.rowWakes).toHaveLength(1);
    const [woken] = recording.rowWakes;
    expect(woken!.passes).toBe(0);
    expect(['b1-row-00001', 'b1-row-00002', 'b1-row-00003']).toContain(woken!.jobId);
    expect(recording.continuations).toEqual([]);
    expect((await deliverWake(deliver, woken!.jobId, 0, 3000)).action).toBe('continue');
    expect(rendering.startsByJob.get(woken!.jobId)).toBe(1);
    // Another wake-up for a row while the slot is taken: it goes back to waiting; the limit holds.
    const other = ['b1-row-00001', 'b1-row-00002', 'b1-row-00003'].find(
      (id) => id !== woken!.jobId,
    )!;
    expect((await deliverWake(deliver, other, 0)).reason).toBe(ROW_WAITS_IN_TABLE_REASON);
    expect(db.maxRenderingOf(ALICE)).toBe(1);
  });

  it('passes on the wake-up of a row that two racing ends both woke, so both freed slots are filled', async () => {
    const { db, deliver, recording, clock, rendering } = setUp({
      config: { maxActiveJobsPerUser: 2 },
      script: () => ({ durationMs: 10_000 }),
    });
    const rows = Array.from({ length: 5 }, (_, i) => `b1-row-0000${i}`);
    for (const id of rows)
      db.insert({ id, owner: ALICE, status: 'QUEUED', batchId: 'b1', rowOwner: ALICE });
    expect((await deliver(rows[0]!, 3000)).action).toBe('continue');
    expect((await deliver(rows[1]!, 3000)).action).toBe('continue');
    clock.advance(10_000);
    // Both ends read the same waiting rows and draw alike (random() is 0.5): they wake the same row.
    await deliver(rows[0]!);
    await deliver(rows[1]!);
    expect(recording.rowWakes.map((wake) => wake.jobId)).toEqual([rows[3], rows[3]]);

    expect((await deliverWake(deliver, rows[3]!, 0, 3000)).action).toBe('continue');
    // The second finds the row rendering: it neither tracks that render nor waits, and wakes another row.
    expect(await deliverWake(deliver, rows[3]!, 0)).toEqual({
      action: 'ack',
      reason: ROW_WAKE_PASSED_ON_REASON,
    });
    const passed = recording.rowWakes.slice(2);
    expect(passed).toEqual([{ jobId: expect.not.stringMatching(rows[3]!), passes: 1 }]);
    expect([rows[2], rows[4]]).toContain(passed[0]!.jobId);
    expect((await deliverWake(deliver, passed[0]!.jobId, 1, 3000)).action).toBe('continue');

    expect(rendering.startsByJob.get(rows[3]!)).toBe(1);
    expect(rendering.inFlightNow()).toBe(2);
    expect(db.maxRenderingOf(ALICE)).toBe(2);
  });

  it("keeps a row's own wake-up tracking it when it comes back, and passes on one that finds the row admitted", async () => {
    const { db, deliver, recording, clock, worker, rendering } = setUp({
      config: { maxActiveJobsPerUser: 2, renderCap: 1 },
      script: () => ({ durationMs: 10_000 }),
    });
    for (const id of ['b1-row-00000', 'b1-row-00001', 'b1-row-00002'])
      db.insert({ id, owner: ALICE, status: 'QUEUED', batchId: 'b1', rowOwner: ALICE });
    // The wake-up that starts row 0 is handed back (a temporary error, or its worker died) and comes back: the
    // second receive of that same message is the row's own, so it goes on tracking, passing nothing on.
    expect((await deliverWake(deliver, 'b1-row-00000', 0, 3000)).action).toBe('continue');
    const again = await worker.processDelivery({
      jobId: 'b1-row-00000',
      receiveCount: 2,
      deadlineMs: clock.now() + HOUR,
      rowWake: 0,
    });
    expect(again).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(recording.rowWakes.map((wake) => wake.passes)).toEqual([0]);
    expect(rendering.startsByJob.get('b1-row-00000')).toBe(1);

    // Row 1 is admitted while another render fills the cap (1): it keeps its slot and a message of its own.
    db.insert({ id: 'other', owner: 'sub-b::bob' });
    expect((await deliver('other', 3000)).action).toBe('continue');
    expect((await deliverWake(deliver, 'b1-row-00001', 0)).reason).toBe('render cap reached');
    const continuations = recording.continuations.length;
    recording.rowWakes.length = 0;
    // A second wake-up of row 1 finds it admitted: it is passed to row 2, and row 1 gets no second message.
    expect(await deliverWake(deliver, 'b1-row-00001', 0)).toEqual({
      action: 'ack',
      reason: ROW_WAKE_PASSED_ON_REASON,
    });
    expect(recording.rowWakes).toEqual([{ jobId: 'b1-row-00002', passes: 1 }]);
    expect(recording.continuations).toHaveLength(continuations);
    expect(slotHolders(db)).toEqual(['b1-row-00001', 'other']);
  });

  it("passes a wake-up on for a row that ended, with the ended row's own slot", async () => {
    const { db, deliver, recording } = setUp({ config: { maxActiveJobsPerUser: 2 } });
    db.insert({ id: 'done', owner: ALICE, status: 'SUCCEEDED', batchId: 'b1', rowOwner: ALICE });
    db.insert({ id: 'cut', owner: ALICE, status: 'CANCELLED', batchId: 'b1', rowOwner: ALICE });
    await db.store.createRenderSlot({ jobOwner: ALICE, slot: 0, jobId: 'cut' });
    for (const id of ['b1-row-00005', 'b1-row-00006', 'b1-row-00007'])
      db.insert({ id, owner: ALICE, status: 'QUEUED', batchId: 'b1', rowOwner: ALICE });

    expect(await deliverWake(deliver, 'done', 1)).toEqual({
      action: 'ack',
      reason: 'already SUCCEEDED',
    });
    expect(recording.rowWakes.map((wake) => wake.passes)).toEqual([2]);
    // Its own freed slot and the wake-up: two rows, counted as a fresh end.
    expect(await deliverWake(deliver, 'cut', 1)).toEqual({
      action: 'ack',
      reason: 'already CANCELLED',
    });
    expect(recording.rowWakes.slice(1).map((wake) => wake.passes)).toEqual([0, 0]);
    expect(new Set(recording.rowWakes.slice(1).map((wake) => wake.jobId)).size).toBe(2);
    expect(slotHolders(db)).toEqual([]);
    // A plain `{ jobId }` for an ended row that held no slot wakes nobody.
    const before = recording.rowWakes.length;
    await deliver('done');
    expect(recording.rowWakes).toHaveLength(before);
  });

  it("hands nothing off at a single job's end: only a row knows its owner's row key", async () => {
    const { db, deliver, recording, clock } = setUp({
      config: { maxActiveJobsPerUser: 1 },
      script: () => ({ durationMs: 10_000 }),
    });
    db.insert({ id: 'a1', owner: ALICE });
    db.insert({
      id: 'b1-row-00000',
      owner: ALICE,
      status: 'QUEUED',
      batchId: 'b1',
      rowOwner: ALICE,
    });
    const looked: string[] = [];
    const list = db.store.listWaitingRowIds;
    db.store.listWaitingRowIds = async (rowOwner, max) => (
      looked.push(rowOwner),
      list(rowOwner, max)
    );
    expect((await deliver('a1', 3000)).action).toBe('continue');
    clock.advance(10_000);
    expect(await deliver('a1')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(looked).toEqual([]);
    expect(recording.continuations).toEqual([]);
    expect(recording.rowWakes).toEqual([]);
  });

  it('keeps a job ended when handing off its slot fails', async () => {
    const { db, deliver, clock } = setUp({
      config: { maxActiveJobsPerUser: 1 },
      script: () => ({ durationMs: 10_000 }),
    });
    db.insert({
      id: 'b1-row-00000',
      owner: ALICE,
      status: 'QUEUED',
      batchId: 'b1',
      rowOwner: ALICE,
    });
    db.insert({
      id: 'b1-row-00001',
      owner: ALICE,
      status: 'QUEUED',
      batchId: 'b1',
      rowOwner: ALICE,
    });
    db.store.listWaitingRowIds = async () => {
      throw new Error('index unavailable');
    };
    expect((await deliver('b1-row-00000', 3000)).action).toBe('continue');
    clock.advance(10_000);
    expect(await deliver('b1-row-00000')).toEqual({ action: 'ack', reason: 'succeeded' });
    expect(slotHolders(db)).toEqual([]);
  });

  it('stamps queueCheckedAt while a job waits under the cap, at most once per interval', async () => {
    const { db, deliver, clock } = setUp({
      config: { renderCap: 1, queueCheckIntervalMs: 60_000 },
    });
    db.insert({ id: 'busy', owner: 'sub-b::bob', status: 'RENDERING', renderId: 'elsewhere' });
    db.insert({ id: 'a1', owner: ALICE, createdAt: new Date(clock.now()).toISOString() });
    const stamps = () =>
      db.patches.filter((p) => p.jobId === 'a1' && p.written && p.patch.queueCheckedAt);

    await deliver('a1');
    expect(stamps()).toHaveLength(0);
    clock.advance(61_000);
    await deliver('a1');
    expect(stamps()).toHaveLength(1);
    expect(db.jobs.get('a1')!.queueCheckedAt).toBe(new Date(clock.now()).toISOString());
    clock.advance(30_000);
    await deliver('a1');
    expect(stamps()).toHaveLength(1);
    clock.advance(31_000);
    await deliver('a1');
    expect(stamps()).toHaveLength(2);
    expect(db.jobs.get('a1')!.status).toBeUndefined();
  });

  it('picks the rows it wakes at random among a few times as many waiting ones, so racing ends seldom pick alike', async () => {
    const waiting = Array.from({ length: 50 }, (_, i) => `b1-row-${String(i).padStart(5, '0')}`);
    const asked: number[] = [];
    // Row 7 holds a slot: it waits under the render cap with a message of its own.
    const store = {
      listWaitingRowIds: async (_rowOwner: string, max: number) => (
        asked.push(max),
        waiting.slice(0, max)
      ),
      listRenderSlots: async () => [{ jobOwner: ALICE, slot: 0, jobId: waiting[7]! }],
    };
    const pickOnce = async (random: () => number) => {
      const woken: string[] = [];
      await handOffFreedSlots(
        store,
        { wakeRow: async (jobId) => void woken.push(jobId) },
        random,
      )({ owner: ALICE, rowOwner: ALICE }, 1);
      return woken;
    };

    const first = await pickOnce(() => 0);
    const last = await pickOnce(() => 0.5);

    const wanted = WAKES_PER_FREED_SLOT;
    expect(asked).toEqual([wanted * WAKE_CANDIDATES_PER_WAKE, wanted * WAKE_CANDIDATES_PER_WAKE]);
    expect(first).toEqual(waiting.slice(0, wanted));
    // Another end drawing other numbers wakes other rows of the same candidates.
    expect(new Set(last).size).toBe(wanted);
    for (const jobId of last)
      expect(waiting.slice(0, wanted * WAKE_CANDIDATES_PER_WAKE)).toContain(jobId);
    expect(last.filter((jobId) => first.includes(jobId))).toEqual([]);
    // The slot holder is never woken, whatever is drawn.
    for (const draw of [0, 0.3, 0.6, 0.9, 0.999])
      expect(await pickOnce(() => draw)).not.toContain(waiting[7]);
    // A single job's end knows no row key: nothing is read or woken.
    const before = asked.length;
    await handOffFreedSlots(store, { wakeRow: async () => undefined })(
      { owner: ALICE, rowOwner: null },
      1,
    );
    expect(asked).toHaveLength(before);
    // A wake-up passed on too often stops; the row passing one on is never among the rows it wakes.
    const woken: string[] = [];
    const handOff = handOffFreedSlots(store, { wakeRow: async (id) => void woken.push(id) });
    await handOff({ owner: ALICE, rowOwner: ALICE }, 1, MAX_ROW_WAKE_PASSES + 1);
    expect(asked).toHaveLength(before);
    for (const draw of [0, 0.5, 0.999])
      await handOffFreedSlots(store, { wakeRow: async (id) => void woken.push(id) }, () => draw)(
        { id: waiting[0], owner: ALICE, rowOwner: ALICE },
        1,
        MAX_ROW_WAKE_PASSES,
      );
    expect(woken).toHaveLength(3);
    expect(woken).not.toContain(waiting[0]);
  });

  it('passes the turn on when a row ends without holding a slot, or is found ended holding one', async () => {
    const { db, deliver, recording } = setUp({ config: { maxActiveJobsPerUser: 1 } });
    // Invalid props: the row fails before admission, so it never held a slot.
    db.insert({
      id: 'b1-row-00000',
      owner: ALICE,
      status: 'QUEUED',
      batchId: 'b1',
      rowOwner: ALICE,
      inputProps: { title: 42 },
    });
    db.insert({
      id: 'b1-row-00001',
      owner: ALICE,
      status: 'QUEUED',
      batchId: 'b1',
      rowOwner: ALICE,
    });
    expect((await deliver('b1-row-00000')).reason).toMatch(/^failed: The props/);
    expect(recording.rowWakes.map((c) => c.jobId)).toEqual(['b1-row-00001']);

    // A row cancelled by its batch while it held a slot: the delivery that finds it ended frees and passes the slot.
    recording.rowWakes.length = 0;
    db.insert({
      id: 'b1-row-00002',
      owner: ALICE,
      status: 'CANCELLED',
      batchId: 'b1',
      rowOwner: ALICE,
    });
    await db.store.createRenderSlot({ jobOwner: ALICE, slot: 0, jobId: 'b1-row-00002' });
    expect(await deliver('b1-row-00002')).toEqual({ action: 'ack', reason: 'already CANCELLED' });
    expect(slotHolders(db)).toEqual([]);
    expect(recording.rowWakes.map((c) => c.jobId)).toEqual(['b1-row-00001']);
  });
});
