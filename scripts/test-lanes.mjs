// `npm test`: the whole suite in two lanes at once, because they wait on different things. The integration and
// end-to-end files start local services one file at a time (one lane, streamed live); every other project (unit,
// infra, components) runs in the other lane on one worker, their output printed as a block when the first lane is done.
// With arguments (`npm test -- tests/unit/x.test.ts`), it is plain `vitest run <arguments>`.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import concurrently from 'concurrently';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);

if (args.length > 0) {
  const run = spawnSync('npx', ['vitest', 'run', ...args], { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const { result } = concurrently(
  [
    { name: 'integration', command: 'npx vitest run --project integration' },
    {
      name: 'unit-infra-components',
      // Every project but integration, so a project added to vitest.config.ts runs here without a change.
      command: "npx vitest run --project '!integration' --maxWorkers=1",
    },
  ],
  { cwd: root, group: true, prefix: 'none', killOthersOn: [] },
);

const started = Date.now();
result.then(
  () => {
    console.log(`npm test: both lanes passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  },
  (events) => {
    const failed = events
      .filter((event) => event.exitCode !== 0)
      .map((event) => event.command.name);
    console.error(`npm test: failed in ${failed.join(' and ')} (see its output above)`);
    process.exit(1);
  },
);
