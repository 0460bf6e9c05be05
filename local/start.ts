// `npm start`: the whole product on this machine, no AWS account (docs/architecture.md, "Local mode").
import { join, resolve } from 'node:path';
import type { LocalStack } from './stack';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const studioPort = Number(process.env.STUDIO_PORT ?? 5173);
// Where jobs, users and videos live; `.local/` unless LOCAL_DATA_DIR names another folder.
const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? join(PROJECT_ROOT, '.local'));
const verbose = process.env.LOCAL_LOG === 'verbose';

/** Worker chatter stays out of the terminal unless LOCAL_LOG=verbose; everything else is shown. */
function printLog(line: string) {
  if (!verbose && /^worker: (delivery handled|retryable failure)/.test(line)) return;
  console.log(`  ${line}`);
}

let stack: LocalStack | undefined;
let stopping = false;

async function stopEverything(exitCode: number) {
  if (stopping) return;
  stopping = true;
  await stack?.stop().catch(() => undefined);
  process.exit(exitCode);
}

/** One line naming the fix. */
function describeStartFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/spawn java ENOENT|java.*not found/i.test(message))
    return 'Java is missing (DynamoDB Local needs Java 17); install it with: apt-get install -y default-jre-headless';
  return message.split('\n')[0] ?? message;
}

// `on`, not `once`: a second Ctrl-C must not end the process mid-stop and leave Java or cognito-local behind;
// the stop itself is bounded (SIGKILL after 3 s).
process.on('SIGINT', () => void stopEverything(0));
process.on('SIGTERM', () => void stopEverything(0));

try {
  // Imported here so the heavy modules load inside the measured start-up.
  const { startLocalStack } = await import('./stack');
  stack = await startLocalStack({
    dataDir,
    renderer: 'remotion',
    studio: { port: studioPort },
    log: printLog,
  });
  // Measured from the process start, so module loading counts too.
  const seconds = process.uptime().toFixed(1);
  console.log(`Render Studio ready in ${seconds} s: ${stack.studioUrl}  (Ctrl-C stops everything)`);
} catch (error) {
  console.error(`render-studio: ${describeStartFailure(error)}`);
  await stopEverything(1);
}
