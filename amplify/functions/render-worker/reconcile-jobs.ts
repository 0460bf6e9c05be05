import { describeError } from './failure-classes';
import { DEFAULT_WORKER_SETTINGS } from './job-lifecycle';
import { freeSlotsOfEndedJobs } from './render-slots';
import type { ActiveJobDetails, Clock, JobQueue, JobStore, RenderSlot } from './ports';

/** How long each sign of life may be missing before the reconciler acts; the defaults are the cloud's. */
export interface ReconcileSettings {
  /** A QUEUED job with no write and no `queueCheckedAt` stamp for this long has lost its message. */
  queuedUnseenMs: number;
  /** A RENDERING job with a render id not written for this long is tracked by nobody (tracking pushes every 2 s). */
  renderingSilentMs: number;
  /** A RENDERING job without a render id claimed longer ago than this lost its start (the worker's claim lease). */
  claimLeaseMs: number;
  /** A cancel with no write since for this long reached no worker (a cancel is a MODIFY, which the pipe drops). */
  cancelUnheardMs: number;
  /** A slot younger than this is left alone: its job may not be visible to every read yet. */
  slotMinAgeMs: number;
  /**
   * Batch rows wait in the table with no message, woken by their owner's ends. When an owner's slots are not all held
   * and its newest waiting row is older than this, no end is coming to fill the free ones: the reconciler does.
   */
  waitingRowIdleMs: number;
  /** The slots each owner's rows may fill: the per-user limit (`maxActiveJobsPerUser`). */
  rowsWokenPerOwner: number;
}

/** The cloud's bounds: twice the worker's stamp interval, and well past its longest silent wait (a 300 s backoff). */
export const DEFAULT_RECONCILE_SETTINGS: ReconcileSettings = {
  queuedUnseenMs: 2 * DEFAULT_WORKER_SETTINGS.queueCheckIntervalMs,
  renderingSilentMs: 10 * 60_000,
  claimLeaseMs: DEFAULT_WORKER_SETTINGS.claimLeaseMs,
  cancelUnheardMs: 60_000,
  slotMinAgeMs: 60_000,
  waitingRowIdleMs: 60_000,
  rowsWokenPerOwner: DEFAULT_WORKER_SETTINGS.maxActiveJobsPerUser,
};

/** Why a job gets a fresh message. */
export type RequeueReason = 'queued' | 'rendering' | 'cancelling';

/** What one run did, for logs and alarms. */
export interface ReconcileSummary {
  /** Active jobs looked at. */
  checked: number;
  /** Jobs sent a fresh `{ jobId }`, by reason. */
  requeued: Record<RequeueReason, string[]>;
  /** Slots freed because their job had ended (or was gone) without releasing them. */
  freedSlots: Omit<RenderSlot, 'createdAt'>[];
  /**
   * Batch rows woken because no end of their owner's was coming to fill a free slot (a failed hand-off, a restart,
   * or a slot a single job took and freed). Not counted in `acted`: it is the rows' normal path back.
   */
  wokenRows: string[];
  /** Jobs or slots this run could not act on; the next run tries again. */
  errors: { id: string; message: string }[];
  /** Re-enqueues plus freed slots: 0 when everything was in order. */
  acted: number;
}

/** Collaborators of the reconciler. */
export interface ReconcileDeps {
  store: JobStore;
  /** Sends a fresh `{ jobId }` to the render queue, or a waiting row's wake-up. */
  queue: Pick<JobQueue, 'continueLater' | 'wakeRow'>;
  clock: Pick<Clock, 'now'>;
  settings?: Partial<ReconcileSettings>;
}

const ageOf = (now: number, iso: string | null | undefined): number =>
  iso ? now - Date.parse(iso) : Number.POSITIVE_INFINITY;

/** The latest of some timestamps (ISO strings compare in time order), or undefined. */
const latestOf = (...stamps: (string | null | undefined)[]): string | undefined =>
  stamps
    .filter((stamp): stamp is string => Boolean(stamp))
    .sort()
    .at(-1);

/**
 * A batch row waiting in the table for its owner's slot: no message exists for it, by design. A QUEUED row that holds
 * a slot (`slotHolders`) is not one: it waits under the render cap with a message of its own, like any job.
 */
export const isWaitingRow = (
  job: ActiveJobDetails,
  slotHolders: ReadonlySet<string> = new Set(),
): boolean =>
  job.status === 'QUEUED' &&
  !slotHolders.has(job.id) &&
  Boolean(job.batchId && job.rowOwner) &&
  !((job.attempts ?? 0) > 0) &&
  !job.cancelRequested;

/** Whether an active job needs a fresh message, and why; undefined when a worker may still hold one. */
export const reasonToRequeue = (
  job: ActiveJobDetails,
  now: number,
  settings: ReconcileSettings,
  slotHolders: ReadonlySet<string> = new Set(),
): RequeueReason | undefined => {
  // Any write is a sign that a delivery lives; `queueCheckedAt` is the one a job waiting under the cap gets.
  const sinceLastSign = ageOf(now, latestOf(job.updatedAt, job.queueCheckedAt, job.createdAt));
  if (job.cancelRequested && sinceLastSign > settings.cancelUnheardMs) return 'cancelling';
  // A waiting row has no message to lose; the wake-up below looks after it.
  if (isWaitingRow(job, slotHolders)) return undefined;
  if (job.status === 'RENDERING') {
    if (job.renderId) return sinceLastSign > settings.renderingSilentMs ? 'rendering' : undefined;
    // A start in progress writes nothing until it stores the render id; past the lease it is abandoned.
    return ageOf(now, job.startedAt) > settings.claimLeaseMs ? 'rendering' : undefined;
  }
  return sinceLastSign > settings.queuedUnseenMs ? 'queued' : undefined;
};

/**
 * One reconciliation run: every active job that no message will ever reach again gets a fresh `{ jobId }` (the
 * worker's idempotent lifecycle then starts, resumes, cancels or fails it: never a second render), and every
 * render slot whose job ended without releasing it is freed. Plain code over the ports: a scheduled Lambda runs it
 * in the cloud, a timer in local mode.
 */
export const reconcileJobs = async (deps: ReconcileDeps): Promise<ReconcileSummary> => {
  const settings: ReconcileSettings = { ...DEFAULT_RECONCILE_SETTINGS, ...deps.settings };
  const { store, queue, clock } = deps;
  const summary: ReconcileSummary = {
    checked: 0,
    requeued: { queued: [], rendering: [], cancelling: [] },
    freedSlots: [],
    wokenRows: [],
    errors: [],
    acted: 0,
  };
  // Slots first: a slot listed now belongs to a job created before it, so the job listing below includes it.
  const slots = await store.listRenderSlots();
  const active = await store.listActiveJobs();
  summary.checked = active.length;
  const slotHolders = new Set(slots.map((slot) => slot.jobId));

  for (const job of active) {
    const now = clock.now();
    const reason = reasonToRequeue(job, now, settings, slotHolders);
    if (!reason) continue;
    try {
      await queue.continueLater(job.id, 0);
      summary.requeued[reason].push(job.id);
      if (reason === 'queued') {
        // The fresh message counts as a sign of life: the next run leaves the job alone for another bound.
        await store.update(
          job.id,
          { status: 'QUEUED', renderId: null },
          { queueCheckedAt: new Date(now).toISOString() },
        );
      }
    } catch (error) {
      summary.errors.push({ id: job.id, message: describeError(error) });
    }
  }

  const activeIds = new Set(active.map((job) => job.id));
  const suspects = slots.filter(
    (slot) =>
      !activeIds.has(slot.jobId) && ageOf(clock.now(), slot.createdAt) > settings.slotMinAgeMs,
  );
  // A slot whose job is not listed active is freed only once a read of the job confirms it ended.
  for (const slot of suspects) {
    try {
      const [freed] = await freeSlotsOfEndedJobs(store, [slot]);
      if (freed)
        summary.freedSlots.push({ jobOwner: freed.jobOwner, slot: freed.slot, jobId: freed.jobId });
    } catch (error) {
      summary.errors.push({ id: `${slot.jobOwner}#${slot.slot}`, message: describeError(error) });
    }
  }

  await wakeForgottenRows(deps, settings, active, slots, summary);

  summary.acted =
    summary.requeued.queued.length +
    summary.requeued.rendering.length +
    summary.requeued.cancelling.length +
    summary.freedSlots.length;
  return summary;
};

/**
 * Fills the slots no end is coming to fill: for every owner with batch rows waiting, once its newest waiting row has
 * waited `waitingRowIdleMs`, wakes its first waiting rows (oldest first), one per slot of `rowsWokenPerOwner` that
 * none of its jobs holds or renders under. A hand-off wakes one row per freed slot, so a wake-up lost (a failed
 * hand-off, a restart, a slot taken by a single job whose end wakes no row) would leave that slot empty for the rest of
 * the batch. A row woken while another wake-up is on its way finds the slots taken and goes back to waiting: never a
 * second render.
 */
const wakeForgottenRows = async (
  { queue, clock }: ReconcileDeps,
  settings: ReconcileSettings,
  active: ActiveJobDetails[],
  slots: RenderSlot[],
  summary: ReconcileSummary,
): Promise<void> => {
  // Slots and renders count against an owner by `rowOwner`, which only rows carry: a single job's is found through
  // the `owner` (as reads report it) of that owner's rows.
  const rows = active.filter((job) => job.rowOwner);
  const rowOwnerOfJob = new Map(rows.map((job) => [job.id, job.rowOwner as string]));
  const rowOwnerOfOwner = new Map(rows.map((job) => [job.owner, job.rowOwner as string]));
  const rowOwnerOf = (jobId: string, owner: string) =>
    rowOwnerOfJob.get(jobId) ?? rowOwnerOfOwner.get(owner);
  // Each owner's slots taken: every slot held (two racing admissions of one job can take two), and every job
  // rendering without one. Slots this run freed are free.
  const freed = new Set(summary.freedSlots.map((slot) => `${slot.jobOwner}#${slot.slot}`));
  const held = slots.filter((slot) => !freed.has(`${slot.jobOwner}#${slot.slot}`));
  const slotHolders = new Set(held.map((slot) => slot.jobId));
  const occupied = new Map<string, number>();
  const occupy = (rowOwner: string | undefined) => {
    if (rowOwner) occupied.set(rowOwner, (occupied.get(rowOwner) ?? 0) + 1);
  };
  for (const slot of held) occupy(rowOwnerOf(slot.jobId, slot.jobOwner));
  for (const job of active)
    if (job.status === 'RENDERING' && !slotHolders.has(job.id))
      occupy(rowOwnerOf(job.id, job.owner));
  const waiting = new Map<string, ActiveJobDetails[]>();
  for (const job of active.filter((row) => isWaitingRow(row, slotHolders))) {
    const rowOwner = job.rowOwner as string;
    waiting.set(rowOwner, [...(waiting.get(rowOwner) ?? []), job]);
  }
  const now = clock.now();
  for (const [rowOwner, waitingRows] of waiting) {
    const free = settings.rowsWokenPerOwner - (occupied.get(rowOwner) ?? 0);
    if (free <= 0) continue;
    const newest = latestOf(...waitingRows.map((row) => latestOf(row.updatedAt, row.createdAt)));
    if (ageOf(now, newest) <= settings.waitingRowIdleMs) continue;
    const first = [...waitingRows]
      .sort(
        (a, b) => (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.id.localeCompare(b.id),
      )
      .slice(0, free);
    for (const row of first) {
      try {
        await queue.wakeRow(row.id, 0);
        summary.wokenRows.push(row.id);
      } catch (error) {
        summary.errors.push({ id: row.id, message: describeError(error) });
      }
    }
  }
};
