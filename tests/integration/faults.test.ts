// Faults the render pipeline must survive (issue 8), against the real local services: DynamoDB Local, the AppSync
// simulator, cognito-local and fauxqs, with the stub renderer (rendering itself is not the point here). Faults are
// injected through the stack's `faults` seams (renderer and worker transport) and by restarting DynamoDB Local.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GraphqlTransport } from '../../amplify/functions/render-worker/appsync-job-store';
import type { RenderRequest, Renderer } from '../../amplify/functions/render-worker/ports';
import { startLocalStack, type LocalStack } from '../../local/stack';
import {
  configureStudioClient,
  countRenderStarts,
  createJobAs,
  createLocalUser,
  isTerminalJob,
  openJobTable,
  outputFilesOf,
  subscribeAs,
  waitUntil,
  type LocalUser,
  type StoredJob,
} from '../support/local-stack-session';

const MAX_RECEIVE_COUNT = 3; // the pipeline's default maxReceiveCount

/** What the fault renderer does with the starts of jobs whose title begins with a key. */
type StartFault =
  | { kind: 'throttle'; times: number }
  | { kind: 'permanent'; message: string }
  | { kind: 'fatal-progress'; message: string }
  /** The render reports itself running (half done) while `held.active`, then goes on as usual. */
  | { kind: 'hold' };

let dataDir: string;
let stack: LocalStack;
let table: ReturnType<typeof openJobTable>;
const stackLog: string[] = [];
const startFaults = new Map<string, StartFault>();
/** Every start the worker asked for, per job id, with its time. */
const startAttempts = new Map<string, number[]>();
/** While set, every worker request to AppSync fails as a refused connection would. */
const appSync = { downUntil: 0, refused: 0 };
/** Renders of `hold` jobs stay running while this is set. */
const held = { active: false, renderIds: new Set<string>() };

const faultOf = (request: RenderRequest) => {
  const title = String(request.inputProps.title ?? '');
  return [...startFaults.entries()].find(([prefix]) => title.startsWith(prefix))?.[1];
};

/** Remotion Lambda's throttling error is a plain `Error` ("Rate Exceeded."), as `renderMediaOnLambda` throws it. */
const rateExceeded = () => new Error('Rate Exceeded.');

function wrapRenderer(renderer: Renderer): Renderer {
  const fatal = new Map<string, string>();
  return {
    async start(request) {
      const attempts = startAttempts.get(request.jobId) ?? [];
      attempts.push(Date.now());
      startAttempts.set(request.jobId, attempts);
      const fault = faultOf(request);
      if (fault?.kind === 'throttle' && attempts.length <= fault.times) throw rateExceeded();
      if (fault?.kind === 'permanent') throw new Error(fault.message);
      if (fault?.kind === 'fatal-progress') {
        const renderId = `fatal-${request.jobId}`;
        fatal.set(renderId, fault.message);
        return { renderId };
      }
      const started = await renderer.start(request);
      if (fault?.kind === 'hold') held.renderIds.add(started.renderId);
      return started;
    },
    async getProgress(renderId) {
      const message = fatal.get(renderId);
      if (message) return { state: 'failed', message, retryable: false, costUsd: 0 };
      if (held.active && held.renderIds.has(renderId))
        return {
          state: 'running',
          progress: 0.5,
          renderedFrames: 75,
          totalFrames: 150,
          costUsd: 0,
        };
      return renderer.getProgress(renderId);
    },
    cancel: (renderId) => (fatal.has(renderId) ? Promise.resolve() : renderer.cancel(renderId)),
  };
}

/** undici's failure for a refused connection: `TypeError: fetch failed` caused by ECONNREFUSED. */
const connectionRefused = () =>
  new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1'), { code: 'ECONNREFUSED' }),
  });

const wrapWorkerTransport =
  (transport: GraphqlTransport): GraphqlTransport =>
  async (query, variables) => {
    if (Date.now() < appSync.downUntil) {
      appSync.refused += 1;
      throw connectionRefused();
    }
    return transport(query, variables);
  };

const logTail = () => `stack log tail:\n${stackLog.slice(-15).join('\n')}`;

/** Creates `count` jobs titled `<prefix> <n>`, one user per job (so the per-user limit never applies). */
async function createJobs(
  prefix: string,
  count: number,
): Promise<{ ids: string[]; users: LocalUser[] }> {
  const users = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      createLocalUser(stack, `${prefix.toLowerCase().replace(/\W+/g, '-')}-${index}@faults.local`),
    ),
  );
  const ids = await Promise.all(
    users.map((user, index) => createJobAs(stack, user, { title: `${prefix} ${index + 1}` })),
  );
  return { ids, users };
}

async function waitForTerminal(ids: string[], timeoutMs: number): Promise<StoredJob[]> {
  let last: (StoredJob | undefined)[] = [];
  return waitUntil(
    `${ids.length} jobs terminal`,
    async () => {
      last = await Promise.all(ids.map((id) => table.get(id)));
      return last.every(isTerminalJob) ? (last as StoredJob[]) : undefined;
    },
    timeoutMs,
    () =>
      `jobs: ${last.map((job) => `${job?.id} ${job?.title} ${job?.status}`).join('; ')}\n${logTail()}`,
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'faults-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [1500, 1500],
    renderCap: 4,
    log: (line) => stackLog.push(line),
    faults: { wrapRenderer, wrapWorkerTransport },
  });
  table = openJobTable(stack);
  configureStudioClient(stack);
});

afterAll(async () => {
  table?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('faults the pipeline survives', () => {
  it('retries a start throttled ("Rate Exceeded.") twice in a row with backoff, then succeeds: 5 jobs', async () => {
    // Prepare
    startFaults.set('Throttled twice', { kind: 'throttle', times: 2 });

    // Act
    const { ids } = await createJobs('Throttled twice', 5);
    const jobs = await waitForTerminal(ids, 60_000);

    // Assess
    for (const job of jobs) {
      expect(job, logTail()).toMatchObject({ status: 'SUCCEEDED', attempts: 3 });
      const attempts = startAttempts.get(job.id) ?? [];
      expect(attempts).toHaveLength(3);
      // Handed back with a visibility of at least 1 s each time (exponential backoff, full jitter).
      expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(900);
      expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(900);
      expect(countRenderStarts(dataDir).get(job.id)).toBe(1);
      expect(outputFilesOf(dataDir, job.owner)).toEqual([`${job.id}.mp4`]);
    }
    const backoffs = stackLog.filter((line) => /retryable failure.*Rate Exceeded/.test(line));
    expect(backoffs).toHaveLength(10);
  });

  it('ends a job throttled on every receive FAILED after maxReceiveCount attempts, not retried forever: 2 jobs', async () => {
    // Prepare
    startFaults.set('Always throttled', { kind: 'throttle', times: Number.POSITIVE_INFINITY });

    // Act
    const { ids } = await createJobs('Always throttled', 2);
    const jobs = await waitForTerminal(ids, 60_000);

    // Assess
    for (const job of jobs) {
      expect(job.status, logTail()).toBe('FAILED');
      expect(job.errorMessage).toMatch(/gave up after 3 attempts/);
      expect(startAttempts.get(job.id)).toHaveLength(MAX_RECEIVE_COUNT);
      expect(countRenderStarts(dataDir).get(job.id)).toBeUndefined();
    }
  });

  it('ends a job whose start fails permanently FAILED with the reason after one attempt: 3 jobs', async () => {
    // Prepare
    const reason = 'Composition "title-card" crashed: Cannot read properties of undefined';
    startFaults.set('Crashing', { kind: 'permanent', message: reason });

    // Act
    const { ids } = await createJobs('Crashing', 3);
    const jobs = await waitForTerminal(ids, 30_000);

    // Assess
    for (const job of jobs) {
      expect(job.status, logTail()).toBe('FAILED');
      expect(job.errorMessage).toContain(reason);
      expect(startAttempts.get(job.id)).toHaveLength(1);
    }
  });

  it('ends a job whose render reports a fatal error FAILED with the reason, without a retry: 3 jobs', async () => {
    // Prepare
    const reason = 'Error: Out of memory while encoding frame 42.';
    startFaults.set('Fatal render', { kind: 'fatal-progress', message: reason });

    // Act
    const { ids } = await createJobs('Fatal render', 3);
    const jobs = await waitForTerminal(ids, 30_000);

    // Assess
    for (const job of jobs) {
      expect(job.status, logTail()).toBe('FAILED');
      expect(job.errorMessage).toContain(reason);
      expect(job.errorMessage).toMatch(/Check the composition and its props/);
      expect(startAttempts.get(job.id)).toHaveLength(1);
    }
  });

  it('keeps pushing progress through an AppSync outage of the worker: every job SUCCEEDED, seen by its owner', async () => {
    // Prepare: 3 jobs rendering (each for 4 s), each owner subscribed to its updates.
    startFaults.set('Outage', { kind: 'throttle', times: 0 });
    const users = await Promise.all(
      [0, 1, 2].map((index) => createLocalUser(stack, `outage-${index}@faults.local`)),
    );
    const subscriptions = await Promise.all(users.map((user) => subscribeAs(user)));
    const ids = await Promise.all(
      users.map((user, index) => createJobAs(stack, user, { title: `Outage ${index + 1}` })),
    );
    await waitUntil(
      'all 3 jobs pushing progress',
      async () => {
        const jobs = await Promise.all(ids.map((id) => table.get(id)));
        return jobs.every((job) => job?.status === 'RENDERING' && (job.progress ?? 0) > 0)
          ? true
          : undefined;
      },
      30_000,
      logTail,
    );

    // Act: AppSync refuses every worker request for 1.2 s.
    appSync.downUntil = Date.now() + 1_200;
    const jobs = await waitForTerminal(ids, 60_000);

    // Assess
    expect(appSync.refused).toBeGreaterThan(0);
    for (const [index, job] of jobs.entries()) {
      expect(job.status, logTail()).toBe('SUCCEEDED');
      expect(countRenderStarts(dataDir).get(job.id)).toBe(1);
      const seen = await waitUntil(
        `the owner of ${job.id} seeing it end`,
        () => {
          const latest = subscriptions[index]!.latest.get(job.id);
          return isTerminalJob({ id: job.id, owner: '', status: latest?.status ?? undefined })
            ? latest
            : undefined;
        },
        10_000,
      );
      expect(seen).toMatchObject({ status: 'SUCCEEDED', progress: 1 });
      expect(subscriptions[index]!.errors).toEqual([]);
    }
    for (const subscription of subscriptions) subscription.unsubscribe();
  });

  it('loses no job when DynamoDB Local is killed and restarted between runs: 3 jobs before, 3 after', async () => {
    // Prepare: 3 jobs finished before the crash (jobs rendering through one: the next test).
    startFaults.set('Restart', { kind: 'throttle', times: 0 });
    const before = await createJobs('Restart before', 3);
    const finished = await waitForTerminal(before.ids, 30_000);

    // Act
    await stack.restartDynamoDb();
    const after = await createJobs('Restart after', 3);
    const jobs = await waitForTerminal([...before.ids, ...after.ids], 60_000);

    // Assess: the finished rows survived the SIGKILL unchanged, and the pipeline serves new jobs.
    expect(jobs.slice(0, 3)).toEqual(finished);
    for (const job of jobs) {
      expect(job.status, `${job.title}: ${job.errorMessage ?? ''}\n${logTail()}`).toBe('SUCCEEDED');
      expect(countRenderStarts(dataDir).get(job.id)).toBe(1);
      expect(outputFilesOf(dataDir, job.owner)).toEqual([`${job.id}.mp4`]);
    }
    expect(stackLog.some((line) => /DynamoDB Local killed and answering again/.test(line))).toBe(
      true,
    );
  });

  it('carries jobs rendering through a 12 s crash of DynamoDB Local to SUCCEEDED: 4 jobs, one render each', async () => {
    // Prepare: 4 jobs (the cap) held rendering, so the crash lands mid-render.
    startFaults.set('Crash', { kind: 'hold' });
    held.active = true;
    const { ids } = await createJobs('Crash', 4);
    await waitUntil(
      'all 4 jobs rendering',
      async () => {
        const jobs = await Promise.all(ids.map((id) => table.get(id)));
        return jobs.every((job) => job?.status === 'RENDERING' && job.renderId) ? true : undefined;
      },
      30_000,
      logTail,
    );

    // Act: SIGKILL DynamoDB Local under the renders, 12 s down (longer than three quick hand-backs would
    // ride out), start it again on the same data, then let the renders finish.
    await stack.restartDynamoDb(12_000);
    held.active = false;
    const jobs = await waitForTerminal(ids, 90_000);

    // Assess
    for (const job of jobs) {
      expect(job.status, `${job.title}: ${job.errorMessage ?? ''}\n${logTail()}`).toBe('SUCCEEDED');
      expect(countRenderStarts(dataDir).get(job.id)).toBe(1);
      expect(outputFilesOf(dataDir, job.owner)).toEqual([`${job.id}.mp4`]);
    }
  });

  it('moves malformed messages sent to the render queue to the DLQ and keeps serving other jobs', async () => {
    // Prepare
    const deadLetters = vi.spyOn(console, 'error');
    const sqs = new SQSClient({
      endpoint: stack.queue.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const bodies = ['not json', '{"jobId":""}', '{"id":"x"}', '[1,2,3]', '{"jobId":42}'];
    startFaults.set('After poison', { kind: 'throttle', times: 0 });

    // Act
    const sent = await Promise.all(
      bodies.map((MessageBody) =>
        sqs.send(new SendMessageCommand({ QueueUrl: stack.queue.queueUrl, MessageBody })),
      ),
    );
    const { ids } = await createJobs('After poison', 2);
    const jobs = await waitForTerminal(ids, 30_000);
    const dropped = await waitUntil(
      `${bodies.length} malformed messages on the DLQ`,
      () => {
        const seen = deadLetters.mock.calls
          .filter(([message]) => message === 'Dropping malformed dead letter')
          .map(([, messageId]) => String(messageId));
        return sent.every(({ MessageId }) => seen.includes(MessageId ?? '')) ? seen : undefined;
      },
      30_000,
      logTail,
    );

    // Assess
    expect(jobs.map((job) => job.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(dropped).toEqual(expect.arrayContaining(sent.map(({ MessageId }) => MessageId)));
    sqs.destroy();
    deadLetters.mockRestore();
  });
});
