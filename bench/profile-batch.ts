/**
 * `node --import tsx bench/profile-batch.ts [rows]`: where a batch row's time goes in the local stack. Runs the bench's
 * batch measurement (stub renderer, cap 16, per-user limit 8) with the worker's GraphQL transport and renderer
 * wrapped, and prints each operation's count, per row, and summed wait. Run it under `node --cpu-prof` to see the
 * stack process's CPU. `POLL_MS=250` sets the worker's progress poll (default 1,000 ms). Not part of `npm run bench`:
 * the wrapping adds its own small cost to every call.
 */
import { resolve } from 'node:path';
import { measureBatch } from './measure-batch';
import { startBenchStack } from './measure-local-stack';

const ROWS = Number(process.argv[2] ?? 1000);
process.env.MAX_ACTIVE_JOBS_PER_USER = '8';
const root = resolve(import.meta.dirname, '..');
const ops = new Map<string, { n: number; ms: number }>();
const timed = async <T>(name: string, run: () => Promise<T>) => {
  const started = Date.now();
  try {
    return await run();
  } finally {
    const entry = ops.get(name) ?? { n: 0, ms: 0 };
    entry.n += 1;
    entry.ms += Date.now() - started;
    ops.set(name, entry);
  }
};
let deliveries = 0;
const outcomes = new Map<string, number>();
const bench = await startBenchStack(root, {
  renderer: 'stub',
  renderCap: 16,
  stubRenderMs: [0, 50],
  ...(process.env.POLL_MS ? { workerPollIntervalMs: Number(process.env.POLL_MS) } : {}),
  spendBudgets: { dailyRendersPerUser: 100_000 },
  faults: {
    wrapWorkerTransport: (transport) => (query, variables) =>
      timed(`gql ${/(query|mutation)\s+(\w+)/.exec(query)?.[2] ?? query.slice(0, 40)}`, () =>
        transport(query, variables),
      ),
    wrapRenderer: (renderer) => ({
      start: (request) => timed('render.start', () => renderer.start(request)),
      getProgress: (renderId) => timed('render.progress', () => renderer.getProgress(renderId)),
      cancel: (renderId) => renderer.cancel(renderId),
    }),
  },
  log: (line) => {
    if (!line.startsWith('worker: delivery handled')) return;
    deliveries += 1;
    // Ids vary per delivery: a reason is counted by its words.
    const reason = (/"reason":"([^"]{0,80})/.exec(line)?.[1] ?? '?')
      .replace(/[0-9a-f]{8}-[0-9a-f-]+/g, '<id>')
      .slice(0, 60);
    outcomes.set(reason, (outcomes.get(reason) ?? 0) + 1);
  },
});
try {
  const measured = await measureBatch(
    bench,
    { rows: ROWS, deadlineMs: 60 * 60_000, deliveriesSeen: () => deliveries },
    (line) => console.log(line),
  );
  console.log(JSON.stringify(measured));
  console.log('delivery outcomes', JSON.stringify(Object.fromEntries(outcomes)));
  console.log('operation'.padEnd(40), 'count', 'per row', 'summed ms', 'mean ms');
  for (const [name, entry] of [...ops].sort((a, b) => b[1].ms - a[1].ms))
    console.log(
      name.padEnd(40),
      entry.n,
      (entry.n / ROWS).toFixed(2),
      entry.ms,
      (entry.ms / entry.n).toFixed(1),
    );
} finally {
  await bench.stop();
}
