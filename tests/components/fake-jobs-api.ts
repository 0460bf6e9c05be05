import type {
  ConnectionHealth,
  CreateJobInput,
  Job,
  JobsApi,
  VideoUrl,
} from '../../src/features/jobs/api/jobs-api';

let counter = 0;

/** A job record as the backend would return it; override what the test is about. */
export function makeJob(overrides: Partial<Job> = {}): Job {
  counter += 1;
  const createdAt = new Date(Date.UTC(2026, 10, 23, 10, 0, counter)).toISOString();
  return {
    id: `job-${counter}`,
    compositionId: 'title-card',
    inputProps: JSON.stringify({ title: 'Hello' }),
    title: 'Hello',
    status: 'QUEUED',
    cancelRequested: false,
    createdAt,
    updatedAt: createdAt,
    owner: 'sub::alice',
    ...overrides,
  } as Job;
}

/** An in-memory {@link JobsApi}: records calls, and lets a test push subscription events and connection changes. */
export class FakeJobsApi implements JobsApi {
  jobs: Job[] = [];
  pageSize: number | undefined;
  listCalls = 0;
  created: CreateJobInput[] = [];
  cancelled: string[] = [];
  removed: string[] = [];
  removeError: Error | undefined;
  videoUrlCalls: string[] = [];
  subscribers = new Set<{ onJob: (job: Job) => void; onError: (error: Error) => void }>();
  connectionListeners = new Set<(health: ConnectionHealth) => void>();
  createError: Error | undefined;
  listError: Error | undefined;
  /** Resolves pending `createJob` calls when set; lets a test see the optimistic job first. */
  holdCreate: Promise<void> | undefined;
  videoUrl: (jobId: string) => VideoUrl = (jobId) => ({
    url: `https://videos.test/${jobId}.mp4`,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  });

  async listJobs({ limit, nextToken }: { limit: number; nextToken?: string | null }) {
    this.listCalls += 1;
    this.pageSize = limit;
    if (this.listError) throw this.listError;
    const sorted = [...this.jobs].sort(
      (a, b) => Date.parse(b.createdAt ?? '') - Date.parse(a.createdAt ?? ''),
    );
    const start = nextToken ? Number(nextToken) : 0;
    const end = start + limit;
    return { jobs: sorted.slice(start, end), nextToken: end < sorted.length ? String(end) : null };
  }

  async createJob(input: CreateJobInput) {
    this.created.push(input);
    await this.holdCreate;
    if (this.createError) throw this.createError;
    const job = makeJob({
      compositionId: input.compositionId,
      inputProps: JSON.stringify(input.inputProps),
      title: input.title,
      outputFormat: input.outputFormat ?? null,
      scale: input.scale ?? null,
    });
    this.jobs.push(job);
    return job;
  }

  async requestCancel(jobId: string) {
    this.cancelled.push(jobId);
    const job = this.jobs.find((candidate) => candidate.id === jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    // The server stamps the update after the record's last change.
    return {
      ...job,
      cancelRequested: true,
      updatedAt: new Date(Date.parse(job.updatedAt ?? '') + 1_000).toISOString(),
    };
  }

  async removeJob(jobId: string) {
    if (this.removeError) throw this.removeError;
    this.removed.push(jobId);
    this.jobs = this.jobs.filter((job) => job.id !== jobId);
  }

  async getVideoUrl(jobId: string) {
    this.videoUrlCalls.push(jobId);
    return this.videoUrl(jobId);
  }

  subscribe(listener: { onJob: (job: Job) => void; onError: (error: Error) => void }) {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  watchConnection(listener: (health: ConnectionHealth) => void) {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  /** Delivers a job as a subscription event would. */
  push(job: Job) {
    for (const subscriber of this.subscribers) subscriber.onJob(job);
  }

  setConnection(health: ConnectionHealth) {
    for (const listener of this.connectionListeners) listener(health);
  }

  failSubscription(error = new Error('socket closed')) {
    for (const subscriber of [...this.subscribers]) subscriber.onError(error);
  }
}
