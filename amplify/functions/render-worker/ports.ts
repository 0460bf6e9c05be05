import type { JobStatus } from '../../../contract/job-contract';
import type { OutputChoice, RenderTarget } from '../../../contract/output-formats';

/** A render job as the worker sees it (the Job record, server fields included). */
export interface JobRecord {
  id: string;
  owner: string;
  compositionId: string;
  inputProps: unknown;
  title?: string | null;
  /** The owner's JSON metadata (≤ 2 KB), echoed in the job's webhooks; refused at admission when invalid. */
  metadata?: unknown;
  /** Missing on a freshly created record: treated as QUEUED. */
  status: JobStatus;
  cancelRequested: boolean;
  renderId?: string | null;
  attempts: number;
  progress?: number | null;
  costUsd?: number | null;
  createdAt?: string | null;
  /** When the worker claimed the job for rendering (ISO); with no `renderId` it marks a start in progress. */
  startedAt?: string | null;
  /** Last time a delivery saw the job waiting QUEUED (ISO): the reconciler's sign that a message still exists. */
  queueCheckedAt?: string | null;
  /** Set by AppSync on every write. */
  updatedAt?: string | null;
  /** The owner's output choice (checked by the worker: `checkOutputChoice`); absent: MP4 at 1×. */
  outputFormat?: string | null;
  scale?: number | null;
  /** Set on a batch's rows (docs/architecture.md, "Batches"). */
  batchId?: string | null;
  /** A batch row's owner as stored: the key its owner's rows waiting in the table are found by. */
  rowOwner?: string | null;
}

/** Progress of one render, as a discriminated union so `output` exists only when done. */
export type RenderProgress =
  | {
      state: 'running';
      /** 0–1 */
      progress: number;
      renderedFrames: number;
      totalFrames: number;
      costUsd: number;
    }
  | {
      state: 'done';
      output: { bucket: string; key: string; sizeBytes: number; posterKey?: string };
      renderedFrames: number;
      totalFrames: number;
      costUsd: number;
    }
  | { state: 'failed'; message: string; retryable: boolean; costUsd: number };

/** What the worker asks a renderer to do. */
export interface RenderRequest {
  jobId: string;
  owner: string;
  compositionId: string;
  /** Already validated against the composition's zod schema. */
  inputProps: Record<string, unknown>;
  /** Format and scale, already checked; absent: MP4 at 1×. */
  output?: OutputChoice;
}

/** Starts, tracks and cancels renders: Remotion Lambda in the cloud, `renderMedia` locally. */
export interface Renderer {
  start(request: RenderRequest): Promise<{ renderId: string }>;
  getProgress(renderId: string): Promise<RenderProgress>;
  cancel(renderId: string): Promise<void>;
  /** Which formats it can render (`checkOutputChoice`); absent: the cloud's. */
  readonly target?: RenderTarget;
}

/** Time, injectable so tests run instantly. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** What a conditional write expects the job to look like; `null` means "absent". */
export interface JobExpectation {
  /** Current status; `QUEUED` also matches a record with no status yet. */
  status: JobStatus;
  /** Omitted: any. */
  renderId?: string | null;
  /** Omitted: any. */
  startedAt?: string | null;
  /** True: only while nobody asked to cancel the job (a progress push then doubles as the cancel check). */
  cancelNotRequested?: true;
}

/** Server fields the worker writes; `null` removes the value. */
export interface JobPatch {
  status?: JobStatus;
  renderId?: string | null;
  progress?: number | null;
  renderedFrames?: number | null;
  totalFrames?: number | null;
  etaSeconds?: number | null;
  costUsd?: number | null;
  outputBucket?: string | null;
  outputKey?: string | null;
  outputSizeBytes?: number | null;
  errorMessage?: string | null;
  attempts?: number | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  queueCheckedAt?: string | null;
  posterKey?: string | null;
  /** When the outputs expire (retention; docs/architecture.md, "Outputs"). */
  expiresAt?: string | null;
  /** When local mode's sweep deleted the expired outputs. */
  expiredAt?: string | null;
}

/** The few fields needed to count jobs that hold a queue or render slot. */
export interface ActiveJob {
  id: string;
  owner: string;
  status: 'QUEUED' | 'RENDERING';
  createdAt?: string | null;
}

/** An active job with what the reconciler judges it by. */
export interface ActiveJobDetails extends ActiveJob {
  cancelRequested: boolean;
  /** Set on a batch's rows, with `rowOwner`: a QUEUED row with no attempts waits in the table, not in the queue. */
  batchId?: string | null;
  rowOwner?: string | null;
  attempts?: number | null;
  renderId?: string | null;
  startedAt?: string | null;
  queueCheckedAt?: string | null;
  updatedAt?: string | null;
}

/**
 * One of an owner's render slots (the RenderSlot model, IAM only): a job holds one from admission until it ends,
 * and an owner has `maxActiveJobsPerUser` of them, so the per-user limit holds however starts race.
 */
export interface RenderSlot {
  /** The job's `owner`, as a Job read reports it. */
  jobOwner: string;
  /** 0 … limit − 1. */
  slot: number;
  jobId: string;
  /** Set when the slot is taken (by the worker's store, as AppSync's create sets it). */
  createdAt?: string | null;
}

/**
 * The Job and RenderSlot tables as the worker uses them: Job writes through AppSync (IAM), reads and slots on the
 * tables (dynamo-job-reads.ts) in the cloud and locally; AppSync alone for the reconciler; in memory in tests.
 */
export interface JobStore {
  get(jobId: string): Promise<JobRecord | null>;
  /** Writes `patch` only if the job matches `expected`; resolves false when it did not (nothing written). */
  update(jobId: string, expected: JobExpectation, patch: JobPatch): Promise<boolean>;
  /** Every job QUEUED (or with no status yet) or RENDERING: a full listing, for recovery and the reconciler. */
  listActiveJobs(): Promise<ActiveJobDetails[]>;
  /** Every job RENDERING (what the render cap counts), read from the status index. */
  listRenderingJobs(): Promise<ActiveJob[]>;
  /**
   * The ids of up to `max` batch rows of `rowOwner` waiting in the table: QUEUED and never tried to start (a row in
   * retry backoff keeps its backoff), from the rowOwner index: the rows a freed render slot of theirs is handed to.
   */
  listWaitingRowIds(rowOwner: string, max: number): Promise<string[]>;
  /** The slots held for `jobOwner` (a key query), or every slot when omitted (the reconciler's listing). */
  listRenderSlots(jobOwner?: string): Promise<RenderSlot[]>;
  /** Creates the slot unless it exists; resolves false when it does (nothing written). */
  createRenderSlot(slot: Omit<RenderSlot, 'createdAt'>): Promise<boolean>;
  /** Deletes the slot only if `slot.jobId` still holds it; resolves false otherwise. */
  deleteRenderSlot(slot: Omit<RenderSlot, 'createdAt'>): Promise<boolean>;
}

/** The queue side: hand a message back for a retry, or enqueue a fresh one to continue later. */
export interface JobQueue {
  /**
   * Makes the received message visible again after `delaySeconds` (counts as another receive), on the queue it
   * came from: the render queue unless `from` says the DLQ.
   */
  retryLater(
    receiptHandle: string,
    delaySeconds: number,
    from?: 'render' | 'dead-letter',
  ): Promise<void>;
  /** Sends a new `{ jobId }` message delivered after `delaySeconds` (a fresh receive count). */
  continueLater(jobId: string, delaySeconds: number): Promise<void>;
  /** Sends `{ jobId, rowWake: passes }` now: a waiting batch row woken for a freed slot, its wake-up passed on `passes` times. */
  wakeRow(jobId: string, passes: number): Promise<void>;
}

/** How a job ended, as the JobsFinished metric's `Outcome` dimension counts it. */
export type JobOutcome = Extract<JobStatus, 'SUCCEEDED' | 'FAILED' | 'CANCELLED'>;

/**
 * What the lifecycle reports for dashboards and alarms: CloudWatch metrics (embedded in log lines) in the cloud, a
 * no-op or an in-memory recorder elsewhere. Calls are synchronous and must not throw.
 */
export interface JobMetrics {
  /** A render started; `rendersInFlight` counts it with every other job RENDERING. */
  renderStarted(event: { jobId: string; renderId: string; rendersInFlight: number }): void;
  /** A job waits because `rendersInFlight` other renders fill the render cap. */
  renderCapReached(event: { jobId: string; rendersInFlight: number }): void;
  /** A job ended; `renderSeconds` from its start to its end when a render ran, `costUsd` when known. */
  jobFinished(event: {
    jobId: string;
    outcome: JobOutcome;
    renderSeconds?: number;
    costUsd?: number;
  }): void;
}
