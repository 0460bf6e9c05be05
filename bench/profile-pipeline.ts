/**
 * `node --import tsx bench/profile-pipeline.ts [jobs]`: where a stub job's time goes in the local pipeline. Runs the
 * bench's pipeline measurement (stub renderer, cap 16) with the worker's GraphQL transport, renderer and clock wrapped,
 * and prints each operation's count, per job, and summed wait; BENCHMARKS.md quotes its output. Not part of
 * `npm run bench`: the wrapping adds its own small cost to every call.
 */
import { resolve } from 'node:path';
import { startBenchStack, measurePipelineThroughput } from './measure-local-stack';
import { scanJobTable } from './appsync-load';
import { computeMedian } from './stats';
import { findCompositionSpec } from '../remotion/catalog';
const N = Number(process.argv[2] ?? 200);
process.env.MAX_ACTIVE_JOBS_PER_USER = '100';
process.env.DAILY_RENDERS_PER_USER = '100';
const root = resolve(import.meta.dirname, '..');
const ops = new Map<string, { n: number; ms: number }>();
const note = (k: string, ms: number) => {
  const e = ops.get(k) ?? { n: 0, ms: 0 };
  e.n++;
  e.ms += ms;
  ops.set(k, e);
};
const timed = async <T>(k: string, f: () => Promise<T>) => {
  const t = Date.now();
  try {
    return await f();
  } finally {
    note(k, Date.now() - t);
  }
};
const bench = await startBenchStack(root, {
  renderer: 'stub',
  renderCap: 16,
  stubRenderMs: [0, 50],
  faults: {
    wrapWorkerTransport: (tr) => (q, v) =>
      timed('gql ' + (/(query|mutation)\s+(\w+)/.exec(q)?.[2] ?? q.slice(0, 40)), () => tr(q, v)),
    wrapRenderer: (r) => ({
      start: (x) => timed('render.start', () => r.start(x)),
      getProgress: (x) => timed('render.progress', () => r.getProgress(x)),
      cancel: (x) => r.cancel(x),
    }),
    wrapClock: (c) => ({
      now: () => c.now(),
      sleep: (ms) => timed('sleep ' + ms, () => c.sleep(ms)),
    }),
  },
  log: (l: string) => {
    if (process.env.LOGS && !/worker: (progress|render)/.test(l))
      console.log(Date.now() % 100000, l.slice(0, 300));
  },
});
try {
  const t0 = Date.now();
  const m = await measurePipelineThroughput(
    bench,
    {
      compositionId: 'title-card',
      inputProps: { ...findCompositionSpec('title-card')!.defaultProps },
      codec: 'h264',
    },
    { jobs: N, jobsPerUser: 100, createBudgetMs: 90_000, drainBudgetMs: 300_000 },
    (l) => console.log(l),
  );
  console.log(JSON.stringify({ ...m, createErrors: m.createErrors.slice(0, 3) }));
  const rows = await scanJobTable(bench.stack.dataPlane.dynamodb);
  const renderMs = rows
    .map((row) => Date.parse(row.finishedAt ?? '') - Date.parse(row.startedAt ?? ''))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  console.log(
    `startedAt → finishedAt: median ${computeMedian(renderMs)} ms, p90 ${renderMs[Math.floor(renderMs.length * 0.9)]} ms`,
  );
  console.log(`total ${Date.now() - t0} ms`);
  console.log('operation'.padEnd(40), 'count', 'per job', 'summed ms', 'mean ms');
  for (const [name, entry] of [...ops].sort((a, b) => b[1].ms - a[1].ms))
    console.log(
      name.padEnd(40),
      entry.n,
      (entry.n / m.jobs).toFixed(2),
      entry.ms,
      (entry.ms / entry.n).toFixed(1),
    );
} finally {
  await bench.stop();
}
