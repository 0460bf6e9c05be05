import { isTerminalStatus } from '../../contract/job-contract';
import type { Job, JobsApi } from '../../src/features/jobs/api/jobs-api';

/** Exit codes of `npm run render` (also in its usage text). */
export const EXIT = {
  ok: 0,
  renderFailed: 1,
  usage: 2,
  apiError: 3,
  interrupted: 130,
} as const;

/** What a scripted render needs from the backend: the studio's jobs API plus one read for the polling fallback. */
export type RenderApi = Pick<JobsApi, 'createJob' | 'getVideoUrl' | 'subscribe'> & {
  getJob(jobId: string): Promise<Job | null>;
};

/** Collaborators of {@link runRender}, injected so tests need no backend. */
export interface RenderDeps {
  api: RenderApi;
  /** Saves the video at `url` to `file`; resolves the bytes written. */
  download(url: string, file: string): Promise<number>;
  print(line: string): void;
  /** Resolves when the user interrupts (Ctrl-C). */
  interrupted: Promise<void>;
  /** The polling fallback's interval, in case the subscription misses an update. */
  pollIntervalMs?: number;
}

/** A render to start, already validated. */
export interface RenderPlan {
  compositionId: string;
  inputProps: Record<string, unknown>;
  title: string;
  wait: boolean;
  out?: string;
}

const describeJob = (job: Job): string => {
  const status = job.status ?? 'QUEUED';
  if (status !== 'RENDERING') return status;
  const percent = Math.floor((job.progress ?? 0) * 100);
  const frames = job.totalFrames ? ` (${job.renderedFrames ?? 0}/${job.totalFrames} frames)` : '';
  const eta =
    job.etaSeconds != null && percent < 100 ? `, about ${Math.ceil(job.etaSeconds)} s left` : '';
  return `RENDERING ${percent}%${frames}${eta}`;
};

/** Waits until the job is terminal (subscription first, polling as the fallback), printing each change. */
const waitForEnd = async (
  jobId: string,
  deps: RenderDeps,
): Promise<{ job: Job } | { interrupted: true }> => {
  let lastLine = '';
  let settle: (job: Job) => void = () => {};
  const ended = new Promise<Job>((resolve) => (settle = resolve));
  const see = (job: Job | null) => {
    if (!job || job.id !== jobId) return;
    const line = describeJob(job);
    if (line !== lastLine) deps.print(`${jobId}: ${(lastLine = line)}`);
    if (job.status && isTerminalStatus(job.status)) settle(job);
  };
  const unsubscribe = deps.api.subscribe({
    onJob: see,
    onError: (error) => deps.print(`realtime updates failed (${error.message}); polling instead`),
  });
  let polling = true;
  const poll = async () => {
    while (polling) {
      try {
        see(await deps.api.getJob(jobId));
      } catch (error) {
        deps.print(
          `reading the job failed (${error instanceof Error ? error.message : String(error)}); trying again`,
        );
      }
      await new Promise((done) => setTimeout(done, deps.pollIntervalMs ?? 5000));
    }
  };
  void poll();
  try {
    return await Promise.race([
      ended.then((job) => ({ job })),
      deps.interrupted.then(() => ({ interrupted: true as const })),
    ]);
  } finally {
    polling = false;
    unsubscribe();
  }
};

/** Creates the job, and with `wait` follows it to its end and saves the video; resolves the exit code. */
export async function runRender(plan: RenderPlan, deps: RenderDeps): Promise<number> {
  const created = await deps.api.createJob({
    compositionId: plan.compositionId,
    inputProps: plan.inputProps,
    title: plan.title,
  });
  deps.print(`${created.id}: created (${plan.compositionId}, "${plan.title}")`);
  if (!plan.wait) return EXIT.ok;

  const outcome = await waitForEnd(created.id, deps);
  if ('interrupted' in outcome) {
    deps.print(
      `${created.id}: stopped waiting; the render goes on (cancel it in the studio if needed)`,
    );
    return EXIT.interrupted;
  }
  const { job } = outcome;
  if (job.status !== 'SUCCEEDED') {
    deps.print(`${job.id}: ${job.status}: ${job.errorMessage ?? 'no reason given'}`);
    return EXIT.renderFailed;
  }
  if (plan.out) {
    const { url } = await deps.api.getVideoUrl(job.id);
    const bytes = await deps.download(url, plan.out);
    deps.print(`${job.id}: saved ${plan.out} (${bytes} bytes)`);
  }
  return EXIT.ok;
}
