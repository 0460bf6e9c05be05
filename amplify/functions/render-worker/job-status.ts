import type { JobStatus } from '../../data/resource';
import type { JobRecord } from './ports';

const TERMINAL: ReadonlySet<JobStatus> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** A status as stored; a freshly created record has none yet and is QUEUED. */
export const statusOf = (job: Pick<JobRecord, 'status'>): JobStatus => job.status ?? 'QUEUED';

/** True for SUCCEEDED, FAILED and CANCELLED. */
export const isTerminal = (status: JobStatus): boolean => TERMINAL.has(status);
