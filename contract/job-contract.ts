/**
 * The job contract: what the backend, the render worker, the studio, the composition catalog and
 * local mode agree on. Plain TypeScript with no imports, so every layer can import it
 * (docs/architecture.md, "Layout").
 */

/** Lifecycle states of a render job (docs/architecture.md, "Job lifecycle"). */
export const JOB_STATUSES = ['QUEUED', 'RENDERING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** States a job never leaves. */
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** True for SUCCEEDED, FAILED and CANCELLED. */
export const isTerminalStatus = (status: JobStatus): boolean =>
  TERMINAL_JOB_STATUSES.includes(status);

/** Largest accepted `inputProps`, serialized, in bytes. */
export const MAX_INPUT_PROPS_BYTES = 64 * 1024;

/** Size of props as they are sent to the backend, in UTF-8 bytes. */
export const measurePropsBytes = (props: unknown): number =>
  new TextEncoder().encode(JSON.stringify(props)).length;

/** The owner's Cognito sub: Amplify stores a record's owner as `<sub>::<username>`. */
export const ownerSubOf = (owner: string): string => owner.split('::')[0] ?? '';

/** The render worker's Lambda timeout; the queue's visibility timeout and local mode derive from it. */
export const RENDER_WORKER_TIMEOUT_SECONDS = 900;

/**
 * The Job table's index by status and creation (the schema's `index('status').sortKeys(['createdAt'])`), as Amplify
 * names it: the worker queries it directly to count renders in flight.
 */
export const JOB_STATUS_INDEX = 'jobsByStatusAndCreatedAt';

/**
 * Wake-ups from Remotion's webhook handled at once, beside the render cap (SQS's smallest allowed cap): a wake-up only
 * reads a render's progress once and ends the job, so it needs no render slot and must not wait for one
 * (docs/architecture.md, "Completion from Remotion's webhook").
 */
export const WAKE_UP_CONCURRENCY = 2;
