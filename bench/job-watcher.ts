import WebSocket from 'ws';
import { signIn, signOut } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import type { Schema } from '../amplify/data/resource';
import type { JobStatus } from '../contract/job-contract';
import { configureAmplify } from '../src/lib/configure-amplify';
import { parseAmplifyOutputs } from '../src/lib/amplify-outputs';

/** When (Date.now()) each status of a job first reached the subscriber, plus the fields the bench reads. */
export interface JobSighting {
  statusSeenAt: Partial<Record<JobStatus, number>>;
  renderId?: string | null;
  errorMessage?: string | null;
}

/** A signed-in studio client in this process, subscribed to its jobs' updates. */
export interface JobWatcher {
  /** `Job.create` as the studio calls it; resolves with the new job's id. */
  createJob(
    compositionId: string,
    inputProps: Record<string, unknown>,
    output?: { outputFormat: string; scale: number },
  ): Promise<string>;
  /** Resolves with the sighting once `status` (or a terminal status) was delivered for `jobId`. */
  waitForStatus(jobId: string, status: JobStatus, timeoutMs: number): Promise<JobSighting>;
  close(): Promise<void>;
}

const TERMINAL: readonly JobStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/**
 * Configures Amplify exactly as the studio does in local mode (same `configureAmplify`), signs `user`
 * in and subscribes to `onUpdate`, so timings include what a browser tab would see.
 */
export async function startJobWatcher(
  outputs: unknown,
  user: { email: string; password: string },
): Promise<JobWatcher> {
  const parsed = parseAmplifyOutputs(outputs);
  if (!parsed.ok) throw new Error(`the local stack's outputs are unusable: ${parsed.message}`);
  // Node 20 has no global WebSocket; the studio's configureAmplify wraps whatever is there.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const { authFlow } = configureAmplify(parsed.outputs);
  await signOut().catch(() => undefined);
  const { isSignedIn } = await signIn({
    username: user.email,
    password: user.password,
    options: { authFlowType: authFlow },
  });
  if (!isSignedIn)
    throw new Error(`expected ${user.email} to be signed in, but sign-in needs another step`);

  const client = generateClient<Schema>();
  const sightings = new Map<string, JobSighting>();
  const waiters = new Set<() => void>();
  const subscriptionErrors: unknown[] = [];
  const subscription = client.models.Job.onUpdate().subscribe({
    next: (job) => {
      const at = Date.now();
      const sighting = sightings.get(job.id) ?? { statusSeenAt: {} };
      if (job.status && sighting.statusSeenAt[job.status] === undefined) {
        sighting.statusSeenAt[job.status] = at;
      }
      sighting.renderId = job.renderId ?? sighting.renderId;
      sighting.errorMessage = job.errorMessage ?? sighting.errorMessage;
      sightings.set(job.id, sighting);
      for (const wake of [...waiters]) wake();
    },
    error: (error: unknown) => subscriptionErrors.push(error),
  });
  // The subscription is acknowledged asynchronously; give it time before the first job is created.
  await new Promise((done) => setTimeout(done, 1_500));

  return {
    async createJob(compositionId, inputProps, output) {
      const { data, errors } = await client.models.Job.create({
        compositionId,
        inputProps: JSON.stringify(inputProps),
        ...(output ?? {}),
      });
      if (!data) {
        throw new Error(`Job.create: expected a job, but got errors ${JSON.stringify(errors)}`);
      }
      return data.id;
    },
    waitForStatus(jobId, status, timeoutMs) {
      return new Promise((done, fail) => {
        const check = () => {
          const sighting = sightings.get(jobId);
          const seen = sighting?.statusSeenAt ?? {};
          if (seen[status] !== undefined) return finish(() => done(sighting!));
          const terminal = TERMINAL.find((other) => seen[other] !== undefined);
          if (terminal && terminal !== status) {
            return finish(() =>
              fail(
                new Error(
                  `job ${jobId}: expected ${status}, but it ended ${terminal}${sighting?.errorMessage ? `: ${sighting.errorMessage}` : ''}`,
                ),
              ),
            );
          }
          if (subscriptionErrors.length > 0) {
            return finish(() =>
              fail(
                new Error(
                  `the onUpdate subscription failed: ${JSON.stringify(subscriptionErrors[0])}`,
                ),
              ),
            );
          }
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              fail(
                new Error(
                  `job ${jobId}: ${status} not seen by the subscription within ${timeoutMs} ms`,
                ),
              ),
            ),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      subscription.unsubscribe();
      await signOut().catch(() => undefined);
    },
  };
}
