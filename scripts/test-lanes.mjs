// `npm test`: the whole suite in two lanes at once, because they wait on different things. The integration and
// end-to-end files start local services one file at a time (one lane, streamed live); every other project (unit,
// infra, components) runs in the other lane on one worker, followed by a few integration files to even the lanes out;
// that lane's output is printed as a block when the first lane is done.
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

// Integration files that run in the second lane once its unit, infra and component files are done, so both lanes
// end near the same time. Chosen by their durations in clean-clone CI runs: with none moved the lanes took 995 s and
// 528 s (120c636); with the first four moved, 957 s and 569 + 263 s, since files running side by side slow each
// other. Each file starts its own services on free ports, so one of these can run beside a file of the first lane.
const SECOND_LANE_INTEGRATION = [
  'tests/integration/batches.test.ts',
  'tests/integration/faults.test.ts',
  'tests/integration/attacks.test.ts',
  'tests/integration/job-reconciler.test.ts',
  'tests/integration/data-plane.test.ts',
];

const { result } = concurrently(
  [
    {
      name: 'integration',
      command: [
        'npx vitest run --project integration',
        ...SECOND_LANE_INTEGRATION.map((file) => `--exclude ${file}`),
      ].join(' '),
    },
    {
      name: 'unit-infra-components',
      // Every project but integration, so a project added to vitest.config.ts runs here without a change; then the
      // integration files above. The lane fails if either run failed, and the second runs even when the first failed.
      command: [
        "npx vitest run --project '!integration' --maxWorkers=1; first=$?",
        `npx vitest run --project integration ${SECOND_LANE_INTEGRATION.join(' ')}; second=$?`,
        'test $first -eq 0 && test $second -eq 0',
      ].join('; '),
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
