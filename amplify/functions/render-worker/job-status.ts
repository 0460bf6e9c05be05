import { isTerminalStatus, type JobStatus } from '../../../contract/job-contract';
import type { JobRecord } from './ports';

/** A status as stored; a freshly created record has none yet and is QUEUED. */
export const statusOf = (job: Pick<JobRecord, 'status'>): JobStatus => job.status ?? 'QUEUED';

/** True for SUCCEEDED, FAILED and CANCELLED. */
export const isTerminal = isTerminalStatus;
