import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack, LocalStackOptions } from '../local/stack';
import {
  countByStatus,
  createBenchUsers,
  createJobThroughAppSync,
  mapWithConcurrency,
  scanJobTable,
  type BenchUser,
} from './appsync-load';
import { startJobWatcher } from './job-watcher';
import type { ReferenceRender } from './measure-cli-render';
import { computeMaxOverlap, summarizeLatencies, type LatencySummary } from './stats';

/** A stack started for one part of the bench, in its own temporary folder. */
export interface BenchStack {
  stack: LocalStack;
  dataDir: string;
  stop(): Promise<void>;
}

const BENCH_PASSWORD = 'Bench-pass-123';
/** Transformer output kept between runs so each stack skips seconds of start-up (the file is keyed by its inputs). */
const TRANSFORM_CACHE = 'appsync-transform.json';

/** Starts the real local stack (`local/stack.ts`) in a fresh temporary folder. */
export async function startBenchStack(
  projectRoot: string,
  options: Omit<LocalStackOptions, 'dataDir'>,
): Promise<BenchStack> {
  const { startLocalStack } = await import('../local/stack');
  const dataDir = mkdtempSync(join(tmpdir(), `bench-stack-${options.renderer}-`));
  const cached = join(projectRoot, '.local', 'bench-cache', TRANSFORM_CACHE);
  if (existsSync(cached)) copyFileSync(cached, join(dataDir, TRANSFORM_CACHE));
  const stack = await startLocalStack({ ...options, dataDir });
  const produced = join(dataDir, TRANSFORM_CACHE);
  if (existsSync(produced)) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(projectRoot, '.local', 'bench-cache'), { recursive: true });
    copyFileSync(produced, cached);
  }
  const bench: BenchStack = {
    stack,
    dataDir,
    async stop() {
      openStacks.delete(bench);
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  openStacks.add(bench);
  return bench;
}

const openStacks = new Set<BenchStack>();

/** Stops every stack still running (an interrupted bench must not leave Java or Chromium behind). */
export async function stopOpenBenchStacks(): Promise<void> {
  await Promise.allSettled([...openStacks].map((bench) => bench.stop()));
}

async function signUpWatcher(bench: BenchStack, email: string) {
  await bench.stack.dataPlane.cognito.createUser(email, BENCH_PASSWORD);
  return startJobWatcher(bench.stack.outputs, { email, password: BENCH_PASSWORD });
}

/** One render through the pipeline: its wall time, and the part of it the local renderer spent rendering. */
export interface TimedRender {
  /** Job.create → SUCCEEDED seen by the subscription, ms. */
  wallMs: number;
  /** The render function's own time inside that job (its record's `renderMs`), ms. */
  rendererMs: number;
}

export interface RenderTimer {
  /**
   * Creates one job of the timer's reference render (or `render`), MP4 at 1× unless `output` says otherwise, and
   * answers its times.
   */
  timeRender(options?: {
    output?: { outputFormat: string; scale: number };
    render?: ReferenceRender;
  }): Promise<TimedRender>;
  close(): Promise<void>;
}

/**
 * Signs a studio user in on `bench` and returns a {@link RenderTimer} for `render`: Job.create → SUCCEEDED seen by
 * the subscription, one job at a time, with the stack's renderer.
 */
export async function openRenderTimer(
  bench: BenchStack,
  render: ReferenceRender,
): Promise<RenderTimer> {
  const watcher = await signUpWatcher(bench, 'render-bench@bench.local');
  return {
    async timeRender({ output, render: what = render } = {}) {
      const started = performance.now();
      const jobId = await watcher.createJob(what.compositionId, what.inputProps, output);
      const sighting = await watcher.waitForStatus(jobId, 'SUCCEEDED', 10 * 60_000);
      const wallMs = Math.round(performance.now() - started);
      if (sighting.statusSeenAt.SUCCEEDED === undefined)
        throw new Error(
          `job ${jobId} (${JSON.stringify(output ?? 'mp4')}) did not succeed: ${sighting.errorMessage ?? 'no message'}`,
        );
      if (!sighting.renderId) throw new Error(`job ${jobId}: SUCCEEDED without a renderId`);
      return { wallMs, rendererMs: readRenderRecord(bench.dataDir, sighting.renderId).renderMs };
    },
    close: () => watcher.close(),
  };
}

/** The render queue's messages for `jobId`, as fauxqs's inspection endpoint shows them (nothing consumed). */
async function findEnqueueTime(queueEndpoint: string, jobId: string): Promise<number | undefined> {
  const response = await fetch(new URL('/_fauxqs/queues/render-queue', queueEndpoint));
  if (!response.ok) throw new Error(`fauxqs inspection answered HTTP ${response.status}`);
  const state = (await response.json()) as {
    messages: Record<
      string,
      {
        body?: string;
        sentTimestamp?: number;
        message?: { body?: string; sentTimestamp?: number };
      }[]
    >;
  };
  for (const group of Object.values(state.messages)) {
    for (const entry of group) {
      const message = entry.message ?? entry;
      if (message.body?.includes(jobId) && typeof message.sentTimestamp === 'number') {
        return message.sentTimestamp;
      }
    }
  }
  return undefined;
}

/** The local renderer's record of a finished render: when it was written, and the render function's own time. */
function readRenderRecord(
  dataDir: string,
  renderId: string,
): { doneAtMs: number; renderMs: number } {
  const file = join(dataDir, 'renders', `${renderId}.json`);
  const record = JSON.parse(readFileSync(file, 'utf8')) as { state?: string; renderMs?: unknown };
  if (record.state !== 'done') {
    throw new Error(
      `render ${renderId}: expected its record to say done, but it says ${record.state}`,
    );
  }
  if (typeof record.renderMs !== 'number') {
    throw new Error(
      `render ${renderId}: expected its record to hold renderMs (a number), but it holds ${JSON.stringify(record.renderMs)}`,
    );
  }
  // The record is written once with `state: done`: its mtime is when the renderer recorded the render done.
  return { doneAtMs: statSync(file).mtimeMs, renderMs: record.renderMs };
}

/**
 * The three latency intervals (see BENCHMARKS.md) with the stub renderer: one job at a time, or `inFlight` jobs at
 * once (each job's intervals are its own; the overlap only shortens the run).
 */
export async function measureLatencies(
  bench: BenchStack,
  render: ReferenceRender,
  jobs: number,
  log: (line: string) => void,
  options: { inFlight?: number } = {},
): Promise<{
  createToQueued: LatencySummary;
  queuedToRendering: LatencySummary;
  doneToBrowser: LatencySummary;
}> {
  const watcher = await signUpWatcher(bench, 'latency-bench@bench.local');
  const createToQueued: number[] = [];
  const queuedToRendering: number[] = [];
  const doneToBrowser: number[] = [];
  let done = 0;
  const measureOne = async () => {
    const createdAt = Date.now();
    const jobId = await watcher.createJob(render.compositionId, render.inputProps);
    // The message stays visible to inspection (ready, then in flight) until the job is done.
    let enqueuedAt: number | undefined;
    const deadline = Date.now() + 60_000;
    while (enqueuedAt === undefined && Date.now() < deadline) {
      enqueuedAt = await findEnqueueTime(bench.stack.queue.endpoint, jobId);
      if (enqueuedAt === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const rendering = await watcher.waitForStatus(jobId, 'RENDERING', 60_000);
    const succeeded = await watcher.waitForStatus(jobId, 'SUCCEEDED', 60_000);
    if (enqueuedAt === undefined) throw new Error(`job ${jobId}: never seen in the render queue`);
    if (!succeeded.renderId) throw new Error(`job ${jobId}: SUCCEEDED without a renderId`);
    const doneAt = readRenderRecord(bench.dataDir, succeeded.renderId).doneAtMs;
    createToQueued.push(enqueuedAt - createdAt);
    queuedToRendering.push(rendering.statusSeenAt.RENDERING! - enqueuedAt);
    doneToBrowser.push(succeeded.statusSeenAt.SUCCEEDED! - doneAt);
    done += 1;
    if (done % 5 === 0) log(`latency job ${done}/${jobs} done`);
  };
  try {
    // Warm-up: the first job pays for connections and lazy imports.
    const warmUp = await watcher.createJob(render.compositionId, render.inputProps);
    await watcher.waitForStatus(warmUp, 'SUCCEEDED', 60_000);
    const runs = Array.from({ length: jobs }, (_, index) => index);
    await mapWithConcurrency(runs, options.inFlight ?? 1, measureOne);
  } finally {
    await watcher.close();
  }
  return {
    createToQueued: summarizeLatencies(createToQueued),
    queuedToRendering: summarizeLatencies(queuedToRendering),
    doneToBrowser: summarizeLatencies(doneToBrowser),
  };
}

/** Renders started per job, from the local renderer's own records (one file per started render). */
export function countRenderStarts(dataDir: string): Map<string, number> {
  const dir = join(dataDir, 'renders');
  const starts = new Map<string, number>();
  if (!existsSync(dir)) return starts;
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json')) continue;
    const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
      request?: { jobId?: string };
    };
    const jobId = record.request?.jobId;
    if (jobId) starts.set(jobId, (starts.get(jobId) ?? 0) + 1);
  }
  return starts;
}

/** Result of {@link measurePipelineThroughput}. */
export interface PipelineMeasurement {
  /** Jobs created (requested, minus refused creates and those the create budget left out). */
  jobs: number;
  requested: number;
  /** Messages of creates that failed (not counted as created or lost). */
  createErrors: string[];
  /** SUCCEEDED jobs ÷ seconds from the first create to the last finish. */
  jobsPerSecond: number | null;
  createJobsPerSecond: number;
  lost: number;
  duplicateRenders: number;
  maxInFlight: number;
  finalStatuses: Record<string, number>;
  drainedWithinDeadline: boolean;
  elapsedSeconds: number;
}

/**
 * Creates up to `jobs` jobs through AppSync within `createBudgetMs` (users holding at most the per-user
 * limit each, so none is refused), then waits up to `drainBudgetMs` until all are terminal, and reads the outcome.
 */
export async function measurePipelineThroughput(
  bench: BenchStack,
  render: ReferenceRender,
  options: { jobs: number; jobsPerUser: number; createBudgetMs: number; drainBudgetMs: number },
  log: (line: string) => void,
): Promise<PipelineMeasurement> {
  const { stack } = bench;
  const userCount = Math.ceil(options.jobs / options.jobsPerUser);
  const usersStarted = Date.now();
  const users: BenchUser[] = await createBenchUsers(stack.dataPlane.cognito, userCount, 'pipeline');
  log(`pipeline: ${userCount} users signed in in ${Date.now() - usersStarted} ms`);

  const baseline = new Set((await scanJobTable(stack.dataPlane.dynamodb)).map((row) => row.id));
  const firstCreateAt = Date.now();
  const createErrors: string[] = [];
  const created = await mapWithConcurrency(
    Array.from({ length: options.jobs }, (_, index) => index),
    8,
    async (index) => {
      if (Date.now() > firstCreateAt + options.createBudgetMs) return undefined;
      if ((index + 1) % 250 === 0) log(`pipeline: ${index + 1}/${options.jobs} jobs being created`);
      try {
        const job = await createJobThroughAppSync(
          stack.dataPlane.graphql.url,
          users[index % userCount]!,
          { compositionId: render.compositionId, inputProps: render.inputProps },
        );
        return job.id;
      } catch (error) {
        // A refused create is not a lost job: counted apart, and the run goes on.
        createErrors.push(error instanceof Error ? error.message : String(error));
        return undefined;
      }
    },
  );
  const createSeconds = (Date.now() - firstCreateAt) / 1000;
  const createdIds = new Set(created.filter((id): id is string => id !== undefined));
  const createdCount = createdIds.size;
  log(
    `pipeline: ${createdCount}/${options.jobs} jobs created in ${createSeconds.toFixed(1)} s; draining`,
  );

  const deadline = Date.now() + options.drainBudgetMs;
  let rows = await scanJobTable(stack.dataPlane.dynamodb);
  let lastReport = 0;
  const mine = () => rows.filter((row) => createdIds.has(row.id) && !baseline.has(row.id));
  while (Date.now() < deadline) {
    const succeeded = mine().filter((row) => row.status === 'SUCCEEDED').length;
    const terminal = mine().filter((row) =>
      ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(row.status),
    ).length;
    if (terminal >= createdCount) break;
    if (Date.now() - lastReport > 15_000) {
      log(
        `pipeline: ${succeeded}/${createdCount} SUCCEEDED after ${((Date.now() - firstCreateAt) / 1000).toFixed(0)} s`,
      );
      lastReport = Date.now();
    }
    await new Promise((done) => setTimeout(done, 2_000));
    rows = await scanJobTable(stack.dataPlane.dynamodb);
  }
  const jobsRows = mine();
  const finalStatuses = countByStatus(jobsRows);
  const succeededRows = jobsRows.filter((row) => row.status === 'SUCCEEDED');
  const drained = succeededRows.length === createdCount;
  const lastFinish = Math.max(
    ...succeededRows.map((row) => Date.parse(row.finishedAt ?? '')).filter(Number.isFinite),
  );
  const starts = countRenderStarts(bench.dataDir);
  const duplicateRenders = [...starts.entries()]
    .filter(([jobId]) => createdIds.has(jobId))
    .reduce((sum, [, count]) => sum + Math.max(0, count - 1), 0);
  // Renders in flight = jobs in RENDERING at once: [startedAt, finishedAt) of every finished job.
  const intervals = succeededRows
    .map((row) => ({
      start: Date.parse(row.startedAt ?? ''),
      end: Date.parse(row.finishedAt ?? ''),
    }))
    .filter((interval) => Number.isFinite(interval.start) && Number.isFinite(interval.end));
  return {
    jobs: createdCount,
    requested: options.jobs,
    createErrors,
    jobsPerSecond:
      succeededRows.length > 0
        ? succeededRows.length / ((lastFinish - firstCreateAt) / 1000)
        : null,
    createJobsPerSecond: createdCount / createSeconds,
    lost: createdCount - succeededRows.length,
    duplicateRenders,
    maxInFlight: computeMaxOverlap(intervals),
    finalStatuses,
    drainedWithinDeadline: drained,
    elapsedSeconds: (Date.now() - firstCreateAt) / 1000,
  };
}
