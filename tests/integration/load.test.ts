// Load (issue 8): 50 simulated users create a job each at once against the local stack (stub renderer).
// Every user's own subscription must deliver its job's terminal state; nothing is lost; the render cap holds.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeMaxOverlap } from '../../bench/stats';
import type { Renderer } from '../../amplify/functions/render-worker/ports';
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
  type JobSubscription,
  type LocalUser,
} from '../support/local-stack-session';

const USERS = 50;
const RENDER_CAP = 4;

let dataDir: string;
let stack: LocalStack;
const stackLog: string[] = [];
/** Renders the worker holds open (started, not yet seen finished), and the most at once. */
const inFlight = { now: 0, max: 0 };

/** Counts renders from the worker's start until it reads them finished: what the cap must bound. */
function countInFlight(renderer: Renderer): Renderer {
  const open = new Set<string>();
  return {
    async start(request) {
      const started = await renderer.start(request);
      open.add(started.renderId);
      inFlight.max = Math.max(inFlight.max, open.size);
      return started;
    },
    async getProgress(renderId) {
      const progress = await renderer.getProgress(renderId);
      if (progress.state !== 'running') open.delete(renderId);
      return progress;
    },
    async cancel(renderId) {
      await renderer.cancel(renderId);
      open.delete(renderId);
    },
  };
}

/** Runs `task` over `items`, at most `limit` at once (cognito-local is a single Node process). */
async function mapLimited<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]!);
      }
    }),
  );
  return results;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'load-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [300, 700],
    renderCap: RENDER_CAP,
    log: (line) => stackLog.push(line),
    faults: { wrapRenderer: countInFlight },
  });
  configureStudioClient(stack);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('load', () => {
  it(`${USERS} users create a job each at once: every subscription gets its terminal state, none lost, cap ${RENDER_CAP} held`, async () => {
    // Prepare: 50 signed-in users, each subscribed to its own updates.
    const users: LocalUser[] = await mapLimited(
      Array.from({ length: USERS }, (_, index) => `load-${index + 1}@load.local`),
      8,
      (email) => createLocalUser(stack, email),
    );
    const subscriptions: JobSubscription[] = await mapLimited(users, 8, (user) =>
      subscribeAs(user),
    );

    // Act: all create at once.
    const ids = await Promise.all(
      users.map((user, index) => createJobAs(stack, user, { title: `Load ${index + 1}` })),
    );
    const seen = await waitUntil(
      'every subscription delivering its terminal state',
      () => {
        const finals = ids.map((id, index) => subscriptions[index]!.latest.get(id));
        return finals.every((job) =>
          isTerminalJob({ id: '', owner: '', status: job?.status ?? undefined }),
        )
          ? finals
          : undefined;
      },
      75_000,
      () => {
        const missing = ids.filter((id, index) => !subscriptions[index]!.latest.has(id)).length;
        return `${missing} jobs never seen; log tail:\n${stackLog.slice(-10).join('\n')}`;
      },
    );

    // Assess
    expect(seen.map((job) => job?.status)).toEqual(ids.map(() => 'SUCCEEDED'));
    for (const [index, subscription] of subscriptions.entries()) {
      // Each owner saw its own job and no one else's.
      expect([...subscription.latest.keys()]).toEqual([ids[index]]);
      expect(subscription.errors).toEqual([]);
      subscription.unsubscribe();
    }
    const table = openJobTable(stack);
    const rows = (await table.scan()).filter((row) => ids.includes(row.id));
    table.close();
    expect(rows).toHaveLength(USERS);
    const starts = countRenderStarts(dataDir);
    for (const row of rows) {
      expect(row.status).toBe('SUCCEEDED');
      expect(starts.get(row.id)).toBe(1);
      expect(outputFilesOf(dataDir, row.owner)).toEqual([`${row.id}.mp4`]);
    }
    const intervals = rows.map((row) => ({
      start: Date.parse(row.startedAt ?? ''),
      end: Date.parse(row.finishedAt ?? ''),
    }));
    expect(intervals.every(({ start, end }) => start <= end)).toBe(true);
    const tableMax = computeMaxOverlap(intervals);
    console.log(
      `load: ${USERS} jobs, max renders in flight ${inFlight.max} (worker view), ${tableMax} (Job table)`,
    );
    expect(inFlight.max).toBeLessThanOrEqual(RENDER_CAP);
    expect(tableMax).toBeLessThanOrEqual(RENDER_CAP);
    // The load really pressed on the cap.
    expect(inFlight.max).toBe(RENDER_CAP);
  });
});
