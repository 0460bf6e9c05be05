// Remotion's webhook when the render cap is full: every slot of the cap is a tracker asleep in its progress poll (a
// sleep the test holds, so no poll comes), and only the wake-ups, received from their own queue beside the cap, can
// end the jobs (docs/architecture.md, "Completion from Remotion's webhook").
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../amplify/functions/render-worker/ports';
import { startLocalStack, type LocalStack } from '../../local/stack';
import {
  createJobAs,
  createLocalUser,
  openJobTable,
  waitUntil,
} from '../support/local-stack-session';

const RENDER_CAP = 2;
const POLL_MS = 90_000;

/** The trackers' poll sleeps, held until the test ends. */
const heldSleeps = new Set<() => void>();
const holdPollSleeps = (clock: Clock): Clock => ({
  now: () => clock.now(),
  sleep: (ms) =>
    ms < POLL_MS
      ? clock.sleep(ms)
      : new Promise<void>((resolve) => {
          heldSleeps.add(resolve);
        }),
});

let dataDir: string;
let stack: LocalStack;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'webhook-at-cap-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [1000, 1000],
    renderCap: RENDER_CAP,
    workerPollIntervalMs: POLL_MS,
    reconciler: { everyMs: 0 },
    faults: { wrapClock: holdPollSleeps },
  });
});

afterAll(async () => {
  for (const release of [...heldSleeps]) release();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("Remotion's webhook at the render cap", () => {
  it('ends every job at its wake-up while each slot of the cap is a sleeping tracker', async () => {
    const user = await createLocalUser(stack, 'at-cap@webhook.local');
    const jobIds = await Promise.all(
      Array.from({ length: RENDER_CAP }, (_, index) =>
        createJobAs(stack, user, { title: `At the cap ${index + 1}` }),
      ),
    );
    const table = openJobTable(stack);
    try {
      const ended = await waitUntil(
        'every job SUCCEEDED',
        async () => {
          const jobs = await Promise.all(jobIds.map((id) => table.get(id)));
          return jobs.every((job) => job?.status === 'SUCCEEDED') ? jobs : undefined;
        },
        30_000,
        () => `held tracker sleeps: ${heldSleeps.size}`,
      );
      for (const job of ended) expect(job?.renderId).toBeTruthy();
      // Both trackers were asleep, holding the cap's every slot, and none has polled since.
      expect(heldSleeps.size).toBe(RENDER_CAP);
    } finally {
      table.close();
    }
  });
});
