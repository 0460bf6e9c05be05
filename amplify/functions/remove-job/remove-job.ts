// The plain core of `removeJob` (docs/architecture.md, "Outputs"): no AWS imports, so the Lambda and local mode run
// it over their own ports, and unit tests over fakes.
import {
  isTerminalStatus,
  JOB_STATUSES,
  ownerSubOf,
  type JobStatus,
} from '../../../contract/job-contract';
import {
  DEFAULT_OUTPUT_CHOICE,
  OUTPUT_FORMAT_DETAILS,
  OUTPUT_FORMATS,
  outputKeyOf,
  posterKeyOf,
  type OutputFormat,
} from '../../../contract/output-formats';

/** What the core needs to know about a job. */
export interface RemovableJob {
  id: string;
  /** Amplify Gen 2 owner field: `<sub>::<username>`. */
  owner: string;
  /** Absent on a record no worker has touched yet (queued). */
  status?: string | null;
  renderId?: string | null;
  outputKey?: string | null;
  posterKey?: string | null;
  outputFormat?: string | null;
}

/** The job's record and its objects, as the Lambda (DynamoDB, S3) and local mode (DynamoDB Local, files) reach them. */
export interface RemoveJobPorts {
  loadJob: (jobId: string) => Promise<RemovableJob | undefined>;
  /** QUEUED (or no status yet) → CANCELLED, conditional on that; false when the job had moved on. */
  cancelQueuedJob: (jobId: string, finishedAt: string) => Promise<boolean>;
  /** Sets `cancelRequested` on a RENDERING job, as the owner's Cancel does; false when it was no longer rendering. */
  requestCancel: (jobId: string) => Promise<boolean>;
  /** Deletes the record, conditional on a terminal status; false when it was not (or no longer) there. */
  deleteJobRecord: (jobId: string) => Promise<boolean>;
  /** Deletes these objects of the output bucket (a missing one is not an error). */
  deleteOutputs: (keys: string[]) => Promise<void>;
  /** Deletes what the renderer keeps about one render (Remotion's `renders/<renderId>/`, locally its record). */
  deleteRenderState: (render: { renderId: string; outputKey: string }) => Promise<void>;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  /** Key prefix of outputs, ending in "/" (the worker's `OUTPUT_PREFIX`): nothing outside it is ever deleted. */
  outputPrefix: string;
  /** How long to wait for the worker to end a rendering job before giving up (default 20 s). */
  cancelWaitMs?: number;
  /** How often to look while waiting (default 1 s). */
  pollMs?: number;
}

/** What was removed. */
export interface RemovedJob {
  jobId: string;
  /** The job was queued or rendering and was cancelled before it was removed. */
  cancelledFirst: boolean;
}

/** Why nothing was removed; `code` lets adapters map it to their own error shape. */
export class RemoveJobError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'STILL_RENDERING' | 'INVALID_REQUEST',
    message: string,
  ) {
    super(message);
    this.name = 'RemoveJobError';
  }
}

const statusOf = (job: RemovableJob): JobStatus => {
  const status = job.status ?? 'QUEUED';
  if (!(JOB_STATUSES as readonly string[]).includes(status))
    throw new Error(
      `Job ${job.id} has status ${JSON.stringify(status)}, which is none of ${JOB_STATUSES.join(', ')}.`,
    );
  return status as JobStatus;
};

/** Every object key the job's outputs may have: the stored ones, and where its render writes even before it stores them. */
export const outputKeysOf = (job: RemovableJob, outputPrefix: string): string[] => {
  const format: OutputFormat = (OUTPUT_FORMATS as readonly string[]).includes(
    job.outputFormat ?? '',
  )
    ? (job.outputFormat as OutputFormat)
    : DEFAULT_OUTPUT_CHOICE.outputFormat;
  const expected = outputKeyOf(
    outputPrefix,
    job.owner,
    job.id,
    OUTPUT_FORMAT_DETAILS[format].extension,
  );
  const keys = [job.outputKey, job.posterKey, expected, posterKeyOf(expected)];
  if (job.outputKey) keys.push(posterKeyOf(job.outputKey));
  return [...new Set(keys.filter((key): key is string => Boolean(key)))].filter(
    (key) => key.startsWith(outputPrefix) && !key.split('/').includes('..'),
  );
};

/**
 * Removes `jobId` if, and only if, `caller` owns it: a queued job is cancelled at once, a rendering one is asked to
 * cancel and waited for (the worker stops the render and ends it CANCELLED), then its video, poster and render state
 * are deleted, and last its record, so a failure half-way leaves a job the owner can delete again, never an orphan
 * object. Someone else's job is reported exactly like a missing one, and nothing of it is touched.
 */
export const removeJob = async (
  { jobId, caller }: { jobId: string; caller: { sub: string } | undefined },
  ports: RemoveJobPorts,
): Promise<RemovedJob> => {
  if (!caller?.sub) {
    throw new RemoveJobError('INVALID_REQUEST', 'A signed-in user is required to delete a job.');
  }
  if (!jobId.trim()) {
    throw new RemoveJobError('INVALID_REQUEST', 'jobId must be a job id, but got an empty string.');
  }
  const notFound = () =>
    new RemoveJobError('NOT_FOUND', `You have no job with id ${JSON.stringify(jobId)}.`);
  let job = await ports.loadJob(jobId);
  if (!job || ownerSubOf(job.owner) !== caller.sub) throw notFound();

  let cancelledFirst = false;
  let cancelAsked = false;
  const waitUntil = ports.now().getTime() + (ports.cancelWaitMs ?? 20_000);
  while (!isTerminalStatus(statusOf(job))) {
    cancelledFirst = true;
    if (statusOf(job) === 'QUEUED') {
      // No render to stop: it ends here, as a batch's cancel ends its queued rows (else it was claimed: look again).
      if (await ports.cancelQueuedJob(jobId, ports.now().toISOString())) {
        job = { ...job, status: 'CANCELLED' };
        break;
      }
    } else {
      // Rendering: asked the way the owner's Cancel asks; the worker stops the render and ends it CANCELLED.
      cancelAsked ||= await ports.requestCancel(jobId);
      if (ports.now().getTime() >= waitUntil) {
        throw new RemoveJobError(
          'STILL_RENDERING',
          `Job ${jobId} is still stopping its render; nothing was deleted. Try Delete again in a minute.`,
        );
      }
      await ports.sleep(ports.pollMs ?? 1000);
    }
    job = await ports.loadJob(jobId);
    if (!job) throw notFound();
  }

  await ports.deleteOutputs(outputKeysOf(job, ports.outputPrefix));
  if (job.renderId) {
    if (!/^[A-Za-z0-9-]+$/.test(job.renderId))
      throw new Error(
        `Job ${jobId} has render id ${JSON.stringify(job.renderId)}, which names no render.`,
      );
    await ports.deleteRenderState({
      renderId: job.renderId,
      outputKey: outputKeysOf(job, ports.outputPrefix)[0] ?? '',
    });
  }
  // Conditional on a terminal status: a concurrent delete (or a missing record) answers like a missing job.
  if (!(await ports.deleteJobRecord(jobId))) throw notFound();
  return { jobId, cancelledFirst };
};
