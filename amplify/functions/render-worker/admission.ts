import { checkJobOutput } from './check-job-output';
import { describeError } from './failure-classes';
import { parseJobMetadata } from '../../../contract/webhook-contract';
import { endFailed } from './job-endings';
import {
  applyTransition,
  claimJob,
  noteStillQueued,
  recordRenderId,
  releaseClaim,
} from './job-transitions';
import type { OutputChoice } from '../../../contract/output-formats';
import type { ActiveJob, JobRecord } from './ports';
import { trackRender } from './render-tracking';
import { isFreshRowWake, passRowWakeOn } from './row-wakes';
import {
  insist,
  later,
  nowIso,
  RELOAD,
  type Delivery,
  type StepResult,
  type WorkerContext,
} from './worker-context';

/** Why a delivery left a job waiting because its owner holds every render slot. */
export const OWNER_AT_LIMIT_REASON = 'per-user limit reached';

/** Cuts an id a client sent to 40 characters, so a message quoting it stays readable. */
const shorten = (text: string): string => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

const countOtherRenders = (active: ActiveJob[], jobId: string) =>
  active.filter((other) => other.status === 'RENDERING' && other.id !== jobId).length;

/** How long a look at the render cap stands in for the look before a claim. */
export const CAP_LOOK_FRESH_MS = 1_000;

/** Counts the renders under the cap other than `jobId`'s, and remembers the count for the next start. */
const lookAtRenderCap = async (context: WorkerContext, jobId: string): Promise<number> => {
  const rendering = countOtherRenders(await context.store.listRenderingJobs(), jobId);
  context.lastCapLook = { atMs: context.clock.now(), rendering };
  return rendering;
};

/**
 * Whether the look before a claim can be skipped: this worker counted, a moment ago, at least two free places under
 * the cap. It only spares a read: the look after the claim decides, whatever this one guessed.
 */
const capHadRoom = (context: WorkerContext): boolean => {
  const look = context.lastCapLook;
  return (
    look !== null &&
    context.clock.now() - look.atMs < CAP_LOOK_FRESH_MS &&
    look.rendering + 2 <= context.settings.renderCap
  );
};

// Nothing else is written while a job waits under the render cap: this stamp tells the reconciler its
// message lives. At most once per interval, and a failed stamp only costs a needless re-enqueue.
const stampStillQueued = async (context: WorkerContext, job: JobRecord): Promise<void> => {
  const last = Date.parse(job.queueCheckedAt ?? job.createdAt ?? '');
  if (context.clock.now() - last < context.settings.queueCheckIntervalMs) return;
  await applyTransition(context.store, job.id, noteStillQueued(nowIso(context))).catch(
    (error: unknown) =>
      context.log('queue check stamp failed', { jobId: job.id, error: describeError(error) }),
  );
};

/** The render cap is reached: the job stays queued and its message looks again after a jittered wait. */
const waitUnderCap = async (
  context: WorkerContext,
  job: JobRecord,
  rendersInFlight: number,
  reason: string,
  giveBackClaim?: () => Promise<unknown>,
): Promise<StepResult> => {
  context.metrics.renderCapReached({ jobId: job.id, rendersInFlight });
  await giveBackClaim?.();
  await stampStillQueued(context, job);
  return later(context.settings.capWaitSeconds * (0.5 + context.random()), reason);
};

/** Why a delivery of a batch row left it waiting in the table: its owner holds every render slot. */
export const ROW_WAITS_IN_TABLE_REASON =
  'per-user limit reached: the row waits in the table for a freed slot';

/**
 * The owner holds every render slot: the job waits instead of failing, so a batch of any size runs
 * `maxActiveJobsPerUser` rows at a time and never takes render-cap slots from other users while it waits.
 * - A batch row that never tried to start drops its message and waits in the table (docs/architecture.md, "Batches"):
 *   the end of one of its owner's rows wakes it (`handOffFreedSlots`), so a 10,000-row batch keeps only a few
 *   messages in the queue and another user's job is received at once. The reconciler wakes rows nothing woke.
 * - A single job, or a row in retry backoff, keeps a message: it looks again after a jittered wait (a row for long,
 *   `ownerWaitSeconds`; a single job, which no hand-off wakes, soon).
 */
const waitForOwnerSlot = async (context: WorkerContext, job: JobRecord): Promise<StepResult> => {
  if (job.batchId && job.rowOwner && !(job.attempts > 0))
    return { action: 'ack', reason: ROW_WAITS_IN_TABLE_REASON };
  await stampStillQueued(context, job);
  const { ownerWaitSeconds, capWaitSeconds } = context.settings;
  const base = job.batchId ? ownerWaitSeconds : capWaitSeconds;
  return later(base * (0.5 + context.random()), OWNER_AT_LIMIT_REASON);
};

/**
 * Gives back a slot this delivery took for nothing, and hands it to a waiting row of the owner. A row's fresh wake-up
 * is passed on instead once the job is read again (it was meant for a freed slot). A failure is logged: the slot is
 * then left to the leaked-slot check.
 */
const giveBackSlot = async (
  context: WorkerContext,
  job: JobRecord,
  slot: number,
  delivery: Delivery,
) => {
  try {
    const freed = await context.slots.giveBack(job, slot);
    if (freed && !isFreshRowWake(delivery)) await context.handOff(job, 1, 0);
  } catch (error) {
    context.log('render slot give-back failed', {
      jobId: job.id,
      slot,
      error: describeError(error),
    });
  }
};

/**
 * The queued phase: checks the props, takes one of the owner's render slots, claims the job under the render cap,
 * starts the render, stores its id, then tracks it.
 */
export const startRender = async (
  context: WorkerContext,
  job: JobRecord,
  delivery: Delivery,
): Promise<StepResult> => {
  const { settings, store } = context;
  const parsed = context.parseInputProps(job.compositionId, job.inputProps);
  if (!parsed.ok) {
    return endFailed(
      context,
      job,
      `The props for composition "${shorten(job.compositionId)}" are invalid: ${parsed.message}`,
    );
  }
  const output = checkJobOutput(job, parsed.props, context.renderer.target ?? 'cloud');
  if (!output.ok) return endFailed(context, job, `The output choice is refused: ${output.message}`);
  // Metadata is echoed in webhooks: the studio checks it before create, this is the server's check.
  const metadata = parseJobMetadata(job.metadata);
  if (!metadata.ok)
    return endFailed(context, job, `The job's metadata is invalid: ${metadata.message}`);
  // The per-user limit: a slot taken by a conditional create, so racing starts cannot exceed it.
  const admission = await context.slots.admit(job);
  if (!admission.admitted) return waitForOwnerSlot(context, job);
  // A row's second wake-up, and another delivery admitted the row (it starts it, or waits under the render cap with a
  // message of its own): the wake-up is meant for another row.
  if (admission.alreadyHeld && isFreshRowWake(delivery))
    return passRowWakeOn(context, job, delivery);
  // The spend guard: budgets and the owner's daily quota, each held by conditional writes on the ledger.
  const spend = await context.spendGuard?.admit(job);
  if (spend && !spend.admitted) return endFailed(context, job, spend.message);
  // Admission under the render cap: look, claim, look again. Whoever looks last sees every claim
  // written before, so concurrent claimers can never together exceed the cap. The first look only spares a
  // claim that would be given back, so a fresh look of this worker that saw room stands in for it.
  if (!capHadRoom(context)) {
    const rendering = await lookAtRenderCap(context, job.id);
    if (rendering >= settings.renderCap)
      return waitUnderCap(context, job, rendering, 'render cap reached');
  }
  const startedAt = nowIso(context);
  if (!(await applyTransition(store, job.id, claimJob(startedAt, delivery.receiveCount)))) {
    // Another delivery claimed the job first. Had this one's admission taken a fresh slot, the other admission ran at
    // the same time and took one of its own (or the job ended): the job must not hold two of its owner's slots.
    if (!admission.alreadyHeld) await giveBackSlot(context, job, admission.slot, delivery);
    return RELOAD;
  }
  return startClaimed(context, { ...job, startedAt }, parsed.props, delivery, output.choice);
};

/** The starting phase, in the delivery that claimed the job at `job.startedAt`. */
const startClaimed = async (
  context: WorkerContext,
  job: JobRecord & { startedAt: string },
  inputProps: Record<string, unknown>,
  delivery: Delivery,
  output?: OutputChoice,
): Promise<StepResult> => {
  const { settings, store, renderer } = context;
  const { startedAt } = job;
  const release = () => applyTransition(store, job.id, releaseClaim(startedAt));
  let renderId: string;
  let othersRendering: number;
  try {
    othersRendering = await lookAtRenderCap(context, job.id);
    if (othersRendering >= settings.renderCap) {
      const reason = 'render cap reached while claiming';
      return await waitUnderCap(context, job, othersRendering, reason, release);
    }
    ({ renderId } = await renderer.start({
      jobId: job.id,
      owner: job.owner,
      compositionId: job.compositionId,
      inputProps,
      ...(output ? { output } : {}),
    }));
  } catch (error) {
    // Nothing was started: give the slot back before the failure is classified.
    await insist(context, release, delivery.deadlineMs).catch((releaseError: unknown) =>
      context.log('release after failed start failed', {
        jobId: job.id,
        error: describeError(releaseError),
      }),
    );
    throw error;
  }
  const cancelMine = () => insist(context, () => renderer.cancel(renderId), delivery.deadlineMs);
  let recorded: boolean;
  try {
    recorded = await insist(
      context,
      () => applyTransition(store, job.id, recordRenderId(startedAt, renderId)),
      delivery.deadlineMs,
    );
  } catch (error) {
    await cancelMine();
    throw error;
  }
  if (!recorded) {
    // The job moved on (cancelled, or our claim was taken over): this render must not survive.
    await cancelMine();
    return RELOAD;
  }
  context.metrics.renderStarted({ jobId: job.id, renderId, rendersInFlight: othersRendering + 1 });
  return trackRender(context, { ...job, status: 'RENDERING', renderId }, renderId, delivery, {
    justStarted: true,
  });
};
