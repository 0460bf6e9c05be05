import type { Schema } from '../../../../amplify/data/resource';

/**
 * Every `Job` field the studio reads, and so its selection set. Subscribers get only what the triggering mutation
 * selected: the worker's mutations must select each of these (tests/unit/worker/appsync-documents.test.ts).
 */
export const JOB_SELECTION_SET = [
  'id',
  'compositionId',
  'inputProps',
  'title',
  'status',
  'cancelRequested',
  'progress',
  'renderedFrames',
  'totalFrames',
  'etaSeconds',
  'outputSizeBytes',
  'errorMessage',
  'costUsd',
  'startedAt',
  'finishedAt',
  'createdAt',
  'updatedAt',
  'outputFormat',
  'scale',
  'posterKey',
  'expiresAt',
  'expiredAt',
  'metadata',
] as const satisfies readonly (keyof Schema['Job']['type'])[];

/** A render job as the owner reads it: only the selected fields, so reading another one fails to compile. */
export type Job = Pick<Schema['Job']['type'], (typeof JOB_SELECTION_SET)[number]>;

/** Lifecycle state of a job (from the data schema, the one source of truth). */
export type JobStatus = NonNullable<Job['status']>;

/** What the studio sends to start a render. */
export interface CreateJobInput {
  compositionId: string;
  inputProps: Record<string, unknown>;
  title: string;
  /** Output format and scale (contract/output-formats.ts); absent: MP4 at 1×. */
  outputFormat?: string;
  scale?: number;
  /** Echoed in the job's webhook events (a JSON object ≤ 2 KB, contract/webhook-contract.ts); absent: none. */
  metadata?: Record<string, unknown>;
}

/** A short-lived URL of a finished video. */
export interface VideoUrl {
  url: string;
  /** ISO time after which the URL no longer works. */
  expiresAt: string;
  /** The job's poster image, signed alike; absent when the render made none. */
  posterUrl?: string | null;
}

/** State of the realtime connection, reduced to what the user needs to know. */
export type ConnectionHealth = 'connected' | 'reconnecting';

/** One page of the owner's jobs, newest first. */
export interface JobsPage {
  jobs: Job[];
  nextToken: string | null;
}

/** Everything the jobs feature needs from the backend; the Amplify data client in the app, a fake in tests. */
export interface JobsApi {
  listJobs(page: { limit: number; nextToken?: string | null }): Promise<JobsPage>;
  createJob(input: CreateJobInput): Promise<Job>;
  /** Asks the worker to stop the render; the status changes to CANCELLED when it has. */
  requestCancel(jobId: string): Promise<Job>;
  getVideoUrl(jobId: string): Promise<VideoUrl>;
  /** Deletes the job with its video, poster and render state, cancelling it first if it is queued or rendering. */
  removeJob(jobId: string): Promise<void>;
  /** Calls `onJob` for every created or updated job of this owner until the returned function is called. */
  subscribe(listener: { onJob: (job: Job) => void; onError: (error: Error) => void }): () => void;
  /** Calls `listener` when the realtime connection drops or comes back, until the returned function is called. */
  watchConnection(listener: (health: ConnectionHealth) => void): () => void;
}

/** Props a job was created with, whichever way the client returned the JSON field. */
export function readInputProps(job: Pick<Job, 'inputProps'>): Record<string, unknown> {
  const value: unknown =
    typeof job.inputProps === 'string' ? JSON.parse(job.inputProps) : job.inputProps;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new Error(`Job inputProps should be a JSON object, but got ${JSON.stringify(value)}.`);
  return value as Record<string, unknown>;
}

/** Metadata a job was created with, whichever way the client returned the JSON field; `undefined` when none. */
export function readJobMetadata(job: Pick<Job, 'metadata'>): Record<string, unknown> | undefined {
  const value: unknown =
    typeof job.metadata === 'string' ? (JSON.parse(job.metadata) as unknown) : job.metadata;
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
