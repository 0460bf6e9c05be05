import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { JobStatus } from '../../contract/job-contract';
import type { ParseInputProps } from '../../amplify/functions/render-worker/job-lifecycle';
import type {
  ActiveJobDetails,
  Clock,
  JobExpectation,
  JobPatch,
  JobQueue,
  JobRecord,
  JobStore,
  RenderProgress,
  RenderRequest,
  RenderSlot,
  Renderer,
} from '../../amplify/functions/render-worker/ports';

/** A clock whose `sleep` advances time at once: for tests with one worker. */
export const createFakeClock = (startMs = Date.parse('2026-01-01T00:00:00.000Z')) => {
  let now = startMs;
  const clock: Clock & { advance(ms: number): void } = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
  return clock;
};

/**
 * A virtual clock for many concurrent workers: `sleep` parks the caller until `advanceToNextTimer`
 * moves time to the earliest parked wake-up. The driver calls it whenever every task is waiting.
 */
export const createVirtualClock = (startMs = Date.parse('2026-01-01T00:00:00.000Z')) => {
  let now = startMs;
  let sequence = 0;
  const timers: { at: number; seq: number; wake: () => void }[] = [];
  return {
    now: () => now,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        timers.push({ at: now + Math.max(0, ms), seq: (sequence += 1), wake: resolve });
      }),
    /** Wakes every sleeper due at the earliest pending time; false when nobody sleeps. */
    advanceToNextTimer(): boolean {
      if (timers.length === 0) return false;
      timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const first = timers[0]!;
      now = Math.max(now, first.at);
      const due = timers.filter((t) => t.at <= now);
      timers.splice(0, due.length);
      for (const timer of due) timer.wake();
      return true;
    },
    pendingTimers: () => timers.length,
  };
};

/** A fault hook: return an error to make that call throw it. */
export type FaultHook = (operation: string, key: string) => Error | undefined;

const matches = (job: JobRecord, expected: JobExpectation): boolean => {
  if ((job.status ?? 'QUEUED') !== expected.status) return false;
  if (expected.renderId !== undefined && (job.renderId ?? null) !== expected.renderId) return false;
  if (expected.startedAt !== undefined && (job.startedAt ?? null) !== expected.startedAt)
    return false;
  if (expected.cancelNotRequested && job.cancelRequested) return false;
  return true;
};

/**
 * An in-memory Job table and slot table with the same conditional semantics as the AppSync adapter. `now` stamps
 * `updatedAt` (every write) and a slot's `createdAt`, as AppSync does.
 */
export const createInMemoryJobStore = (
  options: {
    clock?: Pick<Clock, 'sleep'>;
    latencyMs?: () => number;
    fault?: FaultHook;
    now?: () => number;
  } = {},
) => {
  const now = options.now ?? Date.now;
  const iso = () => new Date(now()).toISOString();
  const jobs = new Map<string, JobRecord & Record<string, unknown>>();
  const slots = new Map<string, RenderSlot>();
  const slotKey = (slot: Pick<RenderSlot, 'jobOwner' | 'slot'>) => `${slot.jobOwner}#${slot.slot}`;
  /** Jobs written RENDERING while holding no slot (must stay empty), and the most RENDERING at once per owner. */
  const renderingWithoutSlot: string[] = [];
  const maxRenderingByOwner = new Map<string, number>();
  /** Every status each job has been written with, in order. */
  const statusHistory = new Map<string, JobStatus[]>();
  const patches: { jobId: string; expected: JobExpectation; patch: JobPatch; written: boolean }[] =
    [];
  const pause = async (operation: string, key: string) => {
    if (options.clock && options.latencyMs) await options.clock.sleep(options.latencyMs());
    const fault = options.fault?.(operation, key);
    if (fault) throw fault;
  };
  const listActive = (keep: (job: ActiveJobDetails) => boolean): ActiveJobDetails[] => {
    const active: ActiveJobDetails[] = [];
    for (const job of jobs.values()) {
      const status = job.status ?? 'QUEUED';
      if (status === 'QUEUED' || status === 'RENDERING') {
        const entry: ActiveJobDetails = {
          id: job.id,
          owner: job.owner,
          status,
          createdAt: job.createdAt ?? null,
          cancelRequested: job.cancelRequested,
          renderId: job.renderId ?? null,
          startedAt: job.startedAt ?? null,
          queueCheckedAt: job.queueCheckedAt ?? null,
          updatedAt: job.updatedAt ?? null,
          batchId: job.batchId ?? null,
          rowOwner: job.rowOwner ?? null,
          attempts: job.attempts ?? null,
        };
        if (keep(entry)) active.push(entry);
      }
    }
    return active;
  };
  const noteRendering = (job: JobRecord) => {
    const holds = [...slots.values()].some(
      (slot) => slot.jobOwner === job.owner && slot.jobId === job.id,
    );
    if (!holds) renderingWithoutSlot.push(job.id);
    const rendering = [...jobs.values()].filter(
      (other) => other.owner === job.owner && other.status === 'RENDERING',
    ).length;
    maxRenderingByOwner.set(
      job.owner,
      Math.max(maxRenderingByOwner.get(job.owner) ?? 0, rendering),
    );
  };
  const store: JobStore = {
    async get(jobId) {
      await pause('get', jobId);
      const job = jobs.get(jobId);
      return job ? structuredClone(job) : null;
    },
    async update(jobId, expected, patch) {
      await pause('update', jobId);
      const job = jobs.get(jobId);
      const written = job !== undefined && matches(job, expected);
      patches.push({ jobId, expected, patch, written });
      if (!written || !job) return false;
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete job[key];
        else if (value !== undefined) job[key] = value;
      }
      job.updatedAt = iso();
      if (patch.status) statusHistory.get(jobId)?.push(patch.status);
      if (patch.status === 'RENDERING') noteRendering(job);
      return true;
    },
    async listActiveJobs() {
      await pause('listActiveJobs', '*');
      return listActive(() => true);
    },
    async listRenderingJobs() {
      await pause('listRenderingJobs', '*');
      return listActive((job) => job.status === 'RENDERING');
    },
    // The rowOwner index holds batch rows only; rows with the same key come back in id (row) order.
    async listWaitingRowIds(rowOwner, max) {
      await pause('listWaitingRowIds', rowOwner);
      return [...jobs.values()]
        .filter(
          (job) => job.status === 'QUEUED' && job.rowOwner === rowOwner && !(job.attempts > 0),
        )
        .sort((a, b) => a.id.localeCompare(b.id))
        .slice(0, max)
        .map((job) => job.id);
    },
    async listRenderSlots(jobOwner) {
      await pause('listRenderSlots', jobOwner ?? '*');
      return [...slots.values()]
        .filter((slot) => jobOwner === undefined || slot.jobOwner === jobOwner)
        .sort((a, b) => a.slot - b.slot)
        .map((slot) => ({ ...slot }));
    },
    async createRenderSlot(slot) {
      await pause('createRenderSlot', slotKey(slot));
      if (slots.has(slotKey(slot))) return false;
      slots.set(slotKey(slot), { ...slot, createdAt: iso() });
      return true;
    },
    async deleteRenderSlot(slot) {
      await pause('deleteRenderSlot', slotKey(slot));
      if (slots.get(slotKey(slot))?.jobId !== slot.jobId) return false;
      slots.delete(slotKey(slot));
      return true;
    },
  };
  return {
    store,
    jobs,
    /** The render slots, by `<jobOwner>#<slot>`. */
    slots,
    statusHistory,
    patches,
    renderingWithoutSlot,
    /** The most jobs of `owner` that were RENDERING at the same moment. */
    maxRenderingOf: (owner: string) => maxRenderingByOwner.get(owner) ?? 0,
    /** Inserts a job as the client's `create` would: no status yet. */
    insert(job: Partial<JobRecord> & Pick<JobRecord, 'id'>) {
      const record = {
        owner: 'user-1::user-1',
        compositionId: 'hello',
        inputProps: { title: 'Hi' },
        cancelRequested: false,
        attempts: 0,
        createdAt: new Date(Date.parse('2026-01-01T00:00:00.000Z') + jobs.size).toISOString(),
        ...job,
      } as JobRecord & Record<string, unknown>;
      record.updatedAt ??= record.createdAt;
      jobs.set(job.id, record);
      statusHistory.set(job.id, record.status ? [record.status] : []);
      return record;
    },
    /** What the owner's `cancelRequested` update does. */
    requestCancel(jobId: string) {
      const job = jobs.get(jobId);
      if (!job) return;
      job.cancelRequested = true;
      job.updatedAt = iso();
    },
  };
};

/** How one scripted render behaves. */
export interface RenderScript {
  durationMs: number;
  totalFrames?: number;
  /** The render fails fatally when it reaches this progress (0–1). */
  failAtProgress?: number;
  failMessage?: string;
  sizeBytes?: number;
}

interface RenderState {
  renderId: string;
  request: RenderRequest;
  script: RenderScript;
  startedAt: number;
  cancelledAt?: number;
}

/** A renderer whose renders follow scripts over the given clock, and which records what it was asked. */
export const createScriptedRenderer = (
  clock: Pick<Clock, 'now' | 'sleep'>,
  options: {
    script?: (request: RenderRequest) => RenderScript;
    latencyMs?: () => number;
    fault?: FaultHook;
    costPerSecond?: number;
  } = {},
) => {
  const renders = new Map<string, RenderState>();
  const startsByJob = new Map<string, number>();
  const cancels: string[] = [];
  let maxInFlight = 0;
  let counter = 0;
  const costPerSecond = options.costPerSecond ?? 0.001;
  const scriptOf = options.script ?? (() => ({ durationMs: 5000 }));

  const endOf = (render: RenderState) => {
    const failAt = render.script.failAtProgress;
    const natural = render.startedAt + render.script.durationMs * (failAt ?? 1);
    return Math.min(natural, render.cancelledAt ?? Number.POSITIVE_INFINITY);
  };
  const inFlightAt = (time: number) =>
    [...renders.values()].filter((render) => render.startedAt <= time && endOf(render) > time)
      .length;
  const pause = async (operation: string, key: string) => {
    if (options.latencyMs) await clock.sleep(options.latencyMs());
    const fault = options.fault?.(operation, key);
    if (fault) throw fault;
  };

  const renderer: Renderer = {
    async start(request) {
      await pause('start', request.jobId);
      counter += 1;
      const renderId = `render-${counter}`;
      renders.set(renderId, {
        renderId,
        request,
        script: scriptOf(request),
        startedAt: clock.now(),
      });
      startsByJob.set(request.jobId, (startsByJob.get(request.jobId) ?? 0) + 1);
      maxInFlight = Math.max(maxInFlight, inFlightAt(clock.now()));
      return { renderId };
    },
    async getProgress(renderId): Promise<RenderProgress> {
      await pause('getProgress', renderId);
      const render = renders.get(renderId);
      if (!render) throw new Error(`No render with id ${renderId}`);
      const now = clock.now();
      const totalFrames = render.script.totalFrames ?? 150;
      const end = endOf(render);
      const elapsed = Math.min(now, end) - render.startedAt;
      const costUsd = Math.round((elapsed / 1000) * costPerSecond * 1e6) / 1e6;
      const progress = Math.min(1, elapsed / render.script.durationMs);
      if (render.cancelledAt !== undefined && now >= render.cancelledAt) {
        return { state: 'failed', message: 'The render was cancelled.', retryable: false, costUsd };
      }
      if (now >= end && render.script.failAtProgress !== undefined) {
        const message = render.script.failMessage ?? 'Chromium crashed while rendering frame 42.';
        return { state: 'failed', message, retryable: false, costUsd };
      }
      const renderedFrames = Math.floor(progress * totalFrames);
      if (now >= end) {
        const key = `renders/${render.request.owner.split('::')[0]}/${render.request.jobId}.mp4`;
        const output = {
          bucket: 'output-bucket',
          key,
          sizeBytes: render.script.sizeBytes ?? 123_456,
        };
        return { state: 'done', output, renderedFrames: totalFrames, totalFrames, costUsd };
      }
      return { state: 'running', progress, renderedFrames, totalFrames, costUsd };
    },
    async cancel(renderId) {
      await pause('cancel', renderId);
      const render = renders.get(renderId);
      if (!render) throw new Error(`No render with id ${renderId}`);
      cancels.push(renderId);
      render.cancelledAt ??= clock.now();
    },
  };
  return {
    renderer,
    renders,
    startsByJob,
    cancels,
    /** The largest number of renders that ran at the same moment. */
    maxInFlight: () => maxInFlight,
    inFlightNow: () => inFlightAt(clock.now()),
  };
};

/** A queue that records what the worker asked of it. */
export const createRecordingQueue = () => {
  const retries: { receiptHandle: string; delaySeconds: number; from: 'render' | 'dead-letter' }[] =
    [];
  const continuations: { jobId: string; delaySeconds: number }[] = [];
  const rowWakes: { jobId: string; passes: number }[] = [];
  const queue: JobQueue = {
    async retryLater(receiptHandle, delaySeconds, from = 'render') {
      retries.push({ receiptHandle, delaySeconds, from });
    },
    async continueLater(jobId, delaySeconds) {
      continuations.push({ jobId, delaySeconds });
    },
    async wakeRow(jobId, passes) {
      rowWakes.push({ jobId, passes });
    },
  };
  return { queue, retries, continuations, rowWakes };
};

const helloSchema = z.object({
  title: z.string().min(1),
  seconds: z.number().positive().optional(),
});

/** A stand-in for the catalog's `parseInputProps`, with one composition: `hello`. */
export const parseTestInputProps: ParseInputProps = (compositionId, input) => {
  if (compositionId !== 'hello') {
    return {
      ok: false,
      message: `Unknown composition "${compositionId}"; expected one of: hello.`,
      issues: [],
    };
  }
  const result = helloSchema.safeParse(input);
  if (result.success) return { ok: true, props: result.data };
  const message = result.error.issues
    .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  return { ok: false, message, issues: result.error.issues };
};

/** An AWS-SDK-shaped throttling error. */
export const throttlingError = (): Error =>
  Object.assign(new Error('Rate Exceeded.'), {
    name: 'TooManyRequestsException',
    $metadata: { httpStatusCode: 429 },
  });

/** A stand-in AppSync endpoint: records each request and answers from a script. */
export const startFakeAppSync = async (
  answer: (body: { query: string; variables: Record<string, unknown> }) => unknown,
) => {
  const requests: {
    headers: IncomingHttpHeaders;
    body: { query: string; variables: Record<string, unknown> };
  }[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    request.on('end', () => {
      const body = JSON.parse(raw) as { query: string; variables: Record<string, unknown> };
      requests.push({ headers: request.headers, body });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    close: () => new Promise((r) => server.close(r)),
  };
};
