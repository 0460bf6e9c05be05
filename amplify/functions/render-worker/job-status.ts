import { isTerminalStatus, type JobStatus } from '../../../contract/job-contract';
import type { JobRecord } from './ports';

/** A status as stored; a freshly created record has none yet and is QUEUED. */
export const statusOf = (job: Pick<JobRecord, 'status'>): JobStatus => job.status ?? 'QUEUED';

/** True for SUCCEEDED, FAILED and CANCELLED. */
export const isTerminal = isTerminalStatus;

/**
 * The phases of docs/architecture.md ("Job lifecycle"): `starting` is stored as RENDERING with no render id yet
 * (a delivery claimed the job and is starting its render, or died doing so).
 */
export type JobPhase = 'queued' | 'starting' | 'rendering' | 'terminal';

/** The phase a stored job is in; a cancel request is a flag beside it, not a phase. */
export const phaseOf = (job: Pick<JobRecord, 'status' | 'renderId'>): JobPhase => {
  const status = statusOf(job);
  if (isTerminal(status)) return 'terminal';
  if (status === 'QUEUED') return 'queued';
  return job.renderId ? 'rendering' : 'starting';
};
