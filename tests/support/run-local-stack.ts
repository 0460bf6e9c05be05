// A local stack in a child process, for tests that kill it: `node --import tsx run-local-stack.ts <dataDir>`.
// Starts the stack (stub renderer, 6 s renders), creates one user and one job, prints `{"jobId": …}` and runs on.
import { startLocalStack } from '../../local/stack';
import { createJobAs, createLocalUser } from './local-stack-session';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('Usage: run-local-stack.ts <dataDir>');
const stack = await startLocalStack({
  dataDir,
  renderer: 'stub',
  stubRenderMs: [6000, 6000],
  renderCap: 2,
  log: (line) => console.error(line),
});
const user = await createLocalUser(stack, 'killed@faults.local');
const jobId = await createJobAs(stack, user, { title: 'Killed mid-render' });
console.log(JSON.stringify({ jobId }));
