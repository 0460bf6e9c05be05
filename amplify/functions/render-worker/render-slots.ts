import { describeError } from './failure-classes';
import { isTerminal, statusOf } from './job-status';
import type { JobQueue, JobRecord, JobStore, RenderSlot } from './ports';

/** The job whose slot is asked for: its id and its `owner` as a Job read reports it. */
type SlotHolder = Pick<JobRecord, 'id' | 'owner'>;

/**
 * What admission answers: the slot the job holds (`alreadyHeld` when it held it before this admission: another
 * delivery admitted it), or that every slot of its owner is held by another job.
 */
export type Admission =
  { admitted: true; slot: number; alreadyHeld: boolean } | { admitted: false };

/** The per-user limit as slots: a job holds one from admission until it ends. */
export interface RenderSlots {
  /** Holds a slot for `job`: the one it already holds, or the first free one. */
  admit(job: SlotHolder): Promise<Admission>;
  /** Frees every slot `job` holds (each delete is conditional on the job still holding it); resolves how many. */
  release(job: SlotHolder): Promise<number>;
  /**
   * Frees `slot`, which an admission of `job` took fresh but then lost the job's claim: another delivery of the same
   * job, admitted at the same moment, took a slot of its own (or the job ended). Resolves whether it was still held.
   */
  giveBack(job: SlotHolder, slot: number): Promise<boolean>;
}

/**
 * Frees those of `held` whose job has ended or is gone (its worker died between the terminal write and the
 * release), reading each job again; resolves the slots freed.
 */
export const freeSlotsOfEndedJobs = async (
  store: JobStore,
  held: RenderSlot[],
): Promise<RenderSlot[]> => {
  const ended = await Promise.all(
    held.map(async (slot) => {
      const job = await store.get(slot.jobId);
      return !job || isTerminal(statusOf(job));
    }),
  );
  const freed: RenderSlot[] = [];
  for (const [index, slot] of held.entries()) {
    if (ended[index] && (await store.deleteRenderSlot(slot))) freed.push(slot);
  }
  return freed;
};

/**
 * The owner's `limit` slots over the store. Only a conditional create takes a slot, so however many starts race,
 * at most `limit` jobs of one owner hold one; reads only choose which slot to try.
 */
/**
 * Held slots younger than this are not checked for an ended job at admission: a slot leaks only when a worker dies
 * between a job's end and the release, and checking every held slot cost each waiting delivery one read per slot.
 */
export const LEAKED_SLOT_MIN_AGE_MS = 60_000;

/** Admissions remembered for their release; past this many (jobs that never ended here) the memory starts over. */
const MAX_REMEMBERED_SLOTS = 10_000;

export const createRenderSlots = (
  store: JobStore,
  limit: number,
  now: () => number = Date.now,
): RenderSlots => {
  // The slot each job was admitted to here: its release deletes that slot without listing the owner's first.
  const admittedTo = new Map<string, number>();
  const remember = (jobId: string, slot: number, alreadyHeld: boolean): Admission => {
    if (admittedTo.size >= MAX_REMEMBERED_SLOTS) admittedTo.clear();
    admittedTo.set(jobId, slot);
    return { admitted: true, slot, alreadyHeld };
  };

  const admit = async (job: SlotHolder): Promise<Admission> => {
    for (let round = 0; round < 2; round += 1) {
      const held = await store.listRenderSlots(job.owner);
      // An earlier delivery of this job (waiting under the render cap, or one that died) already holds one.
      const mine = held.find((slot) => slot.jobId === job.id);
      if (mine) return remember(job.id, mine.slot, true);
      const taken = new Set(held.map((slot) => slot.slot));
      // Free slots in a random order: racing starts that all tried the lowest free slot first collided on it,
      // one create winning and every other one spending a request to learn so.
      const free = Array.from({ length: limit }, (_, slot) => slot).filter(
        (slot) => !taken.has(slot),
      );
      for (let index = free.length - 1; index > 0; index -= 1) {
        const other = Math.floor(Math.random() * (index + 1));
        [free[index], free[other]] = [free[other]!, free[index]!];
      }
      for (const slot of free) {
        if (await store.createRenderSlot({ jobOwner: job.owner, slot, jobId: job.id }))
          return remember(job.id, slot, false);
      }
      // Every slot is held: one whose job ended without releasing it is freed, then look once more.
      const old = held.filter(
        (slot) => now() - Date.parse(slot.createdAt ?? '') >= LEAKED_SLOT_MIN_AGE_MS,
      );
      if (round > 0 || old.length === 0 || (await freeSlotsOfEndedJobs(store, old)).length === 0)
        break;
    }
    return { admitted: false };
  };

  const release = async (job: SlotHolder): Promise<number> => {
    const known = admittedTo.get(job.id);
    admittedTo.delete(job.id);
    // The slot this worker admitted the job to, deleted on condition that the job still holds it. Should it not
    // (another delivery released it, or the job holds another one), the listing below finds what it holds.
    if (
      known !== undefined &&
      (await store.deleteRenderSlot({ jobOwner: job.owner, slot: known, jobId: job.id }))
    )
      return 1;
    const mine = (await store.listRenderSlots(job.owner)).filter((slot) => slot.jobId === job.id);
    let released = 0;
    for (const slot of mine) if (await store.deleteRenderSlot(slot)) released += 1;
    return released;
  };

  const giveBack = async (job: SlotHolder, slot: number): Promise<boolean> => {
    // Both admissions remembered their slot here when they ran in this worker: the release then lists what is left.
    if (admittedTo.get(job.id) === slot) admittedTo.delete(job.id);
    return store.deleteRenderSlot({ jobOwner: job.owner, slot, jobId: job.id });
  };

  return { admit, release, giveBack };
};

// Owners remembered from reads, so a terminal write can find the job's slots without another read.
const MAX_REMEMBERED_OWNERS = 10_000;

/**
 * The store, with one addition: a write that ends a job (SUCCEEDED, FAILED, CANCELLED) then releases the job's
 * slot, whichever transition made it. A failed release is logged, not thrown: the job's end stands, and the
 * reconciler (or the owner's next admission) frees the slot.
 */
export const releasingSlotsOnEnd = (
  store: JobStore,
  slots: Pick<RenderSlots, 'release'>,
  log: (message: string, details?: Record<string, unknown>) => void,
  /** Hands the freed slots to the owner's batch rows waiting for one (see {@link handOffFreedSlots}). */
  onFreed?: HandOff,
): JobStore => {
  const owners = new Map<string, Pick<JobRecord, 'owner' | 'rowOwner'>>();
  return {
    // Everything but the reads and writes watched below passes straight through.
    ...store,
    async get(jobId) {
      const job = await store.get(jobId);
      if (job) {
        if (owners.size >= MAX_REMEMBERED_OWNERS) owners.clear();
        owners.set(jobId, { owner: job.owner, rowOwner: job.rowOwner ?? null });
      }
      return job;
    },
    async update(jobId, expected, patch) {
      const written = await store.update(jobId, expected, patch);
      if (!written || !patch.status || !isTerminal(patch.status)) return written;
      try {
        const known = owners.get(jobId) ?? (await store.get(jobId)) ?? undefined;
        owners.delete(jobId);
        const ended = known && { id: jobId, owner: known.owner, rowOwner: known.rowOwner ?? null };
        const freed = ended ? await slots.release(ended) : 0;
        // A row's end always passes the turn on, even one that held no slot (it failed before admission): each
        // row's end is what wakes the next, so none may end silently.
        if (ended && onFreed && (freed > 0 || ended.rowOwner))
          await onFreed(ended, Math.max(freed, 1));
      } catch (error) {
        log('render slot release or hand-off failed', { jobId, error: describeError(error) });
      }
      return written;
    },
  };
};

/**
 * Passes freed slots (at least one, for a row's end) on to the ended job's owner's waiting rows; `passes` counts the
 * times a wake-up was already passed on (0 for a fresh end). The job `ended` names is never among the rows woken.
 */
export type HandOff = (
  ended: Pick<JobRecord, 'owner' | 'rowOwner'> & { id?: string },
  freed: number,
  passes?: number,
) => Promise<void>;

/**
 * Rows woken per freed slot: one. Two ends that race can read the same waiting rows and wake the same row; the second
 * wake-up then finds that row started or ended and passes itself on to another waiting row (`passRowWakeOn` in
 * job-lifecycle.ts), so no slot is left unfilled and no row is woken for a slot that is not free.
 */
export const WAKES_PER_FREED_SLOT = 1;

/** How many times one wake-up is passed on at most: it stops should it keep meeting rows that a stale read listed. */
export const MAX_ROW_WAKE_PASSES = 3;

/**
 * Waiting rows read per row woken: the wake-ups are picked among them at random, so ends that race (each reading the
 * same rows, since a woken row stays QUEUED until its start is written) seldom wake the same row twice.
 */
export const WAKE_CANDIDATES_PER_WAKE = 8;

/**
 * A freed slot goes to the owner's batch rows waiting in the table (docs/architecture.md, "Batches"): each gets a
 * message now. Rows are never in the queue while they wait, so this (with the rows woken when they are added, and the
 * reconciler) is how they start. Only a row's end knows its owner's key (`rowOwner`, the owner as stored; reads
 * shorten `owner`), so a single job's end hands nothing off: the owner's rendering rows wake the next ones as they
 * end. A woken row that finds the slot taken goes back to waiting; one that already started or ended passes the
 * wake-up on (at most `MAX_ROW_WAKE_PASSES` times).
 */
export const handOffFreedSlots =
  (
    store: Pick<JobStore, 'listWaitingRowIds' | 'listRenderSlots'>,
    queue: Pick<JobQueue, 'wakeRow'>,
    random: () => number = Math.random,
  ): HandOff =>
  async (ended, freed, passes = 0) => {
    if (!ended.rowOwner || passes > MAX_ROW_WAKE_PASSES) return;
    const wanted = freed * WAKES_PER_FREED_SLOT;
    const [listed, held] = await Promise.all([
      store.listWaitingRowIds(ended.rowOwner, wanted * WAKE_CANDIDATES_PER_WAKE),
      store.listRenderSlots(ended.owner),
    ]);
    // A QUEUED row holding a slot waits under the render cap with a message of its own: another would only loop.
    const holders = new Set(held.map((slot) => slot.jobId));
    const candidates = listed.filter((jobId) => !holders.has(jobId) && jobId !== ended.id);
    // The first `wanted` of a partial shuffle: a uniform pick, in the index's (roughly row) order's neighbourhood.
    for (let index = 0; index < Math.min(wanted, candidates.length); index += 1) {
      const other = index + Math.floor(random() * (candidates.length - index));
      [candidates[index], candidates[other]] = [candidates[other]!, candidates[index]!];
    }
    await Promise.all(candidates.slice(0, wanted).map((jobId) => queue.wakeRow(jobId, passes)));
  };
