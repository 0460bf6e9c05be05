// `npm start`: the whole product on this machine, no AWS account (ARCHITECTURE §4).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Plugin, ViteDevServer } from 'vite';
import type { LocalStack } from './stack';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
const dataDir = join(PROJECT_ROOT, '.local');
const outputsFile = join(dataDir, 'amplify_outputs.json');
const studioPort = Number(process.env.STUDIO_PORT ?? 5173);
const verbose = process.env.LOCAL_LOG === 'verbose';

/** Serves the local `amplify_outputs.json` at `/amplify_outputs.json`, where the studio fetches it. */
function serveAmplifyOutputs(): Plugin {
  return {
    name: 'render-studio-local-outputs',
    configureServer(server) {
      server.middlewares.use('/amplify_outputs.json', (_request, response) => {
        if (!existsSync(outputsFile)) {
          response.statusCode = 503;
          response.end('{"message":"The local stack is still starting."}');
          return;
        }
        response.setHeader('content-type', 'application/json');
        response.setHeader('cache-control', 'no-store');
        response.end(readFileSync(outputsFile));
      });
    },
  };
}

/** Worker chatter stays out of the terminal unless LOCAL_LOG=verbose; everything else is shown. */
function printLog(line: string) {
  if (!verbose && /^worker: (delivery handled|retryable failure)/.test(line)) return;
  console.log(`  ${line}`);
}

let stack: LocalStack | undefined;
let vite: ViteDevServer | undefined;
let stopping = false;

async function stopEverything(exitCode: number) {
  if (stopping) return;
  stopping = true;
  await vite?.close().catch(() => undefined);
  await stack?.stop().catch(() => undefined);
  process.exit(exitCode);
}

function describeStartFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/spawn java ENOENT|java.*not found/i.test(message))
    return 'Java is missing (DynamoDB Local needs Java 17); install it with: apt-get install -y default-jre-headless';
  const busy = /port (\d+) is already in use/i.exec(message);
  if (busy) return message;
  return message.split('\n')[0] ?? message;
}

process.once('SIGINT', () => void stopEverything(0));
process.once('SIGTERM', () => void stopEverything(0));

/** The Vite dev server of the studio, with the project's own vite.config.ts. */
async function startStudio(): Promise<ViteDevServer> {
  const { createServer } = await import('vite');
  const configFile = join(PROJECT_ROOT, 'vite.config.ts');
  const server = await createServer({
    root: PROJECT_ROOT,
    configFile: existsSync(configFile) ? configFile : false,
    plugins: [serveAmplifyOutputs()],
    server: { host: '127.0.0.1', port: studioPort, strictPort: true },
    clearScreen: false,
    logLevel: 'warn',
  });
  vite = server;
  await server.listen().catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE' || /already in use/i.test(error.message)
      ? new Error(
          `Studio: port ${studioPort} is already in use. Stop whatever uses it or run with STUDIO_PORT=<free port>.`,
        )
      : error;
  });
  return server;
}

// A file left by an earlier run names ports that are gone: the studio waits for this run's.
rmSync(outputsFile, { force: true });

try {
  // The heavy imports (AWS SDK, Amplify, the simulator) load inside this timing, and the studio's dev
  // server starts beside the stack: it only reads amplify_outputs.json when the browser asks.
  const [, studio] = await Promise.all([
    import('./stack')
      .then(({ startLocalStack }) =>
        startLocalStack({ dataDir, renderer: 'remotion', log: printLog }),
      )
      .then((localStack) => {
        stack = localStack;
        return localStack;
      }),
    startStudio(),
  ]);
  const studioUrl = studio.resolvedUrls?.local[0] ?? `http://127.0.0.1:${studioPort}/`;
  // Measured from the process start, so module loading counts too.
  const seconds = process.uptime().toFixed(1);
  console.log(`Render Studio ready in ${seconds} s: ${studioUrl}  (Ctrl-C stops everything)`);
} catch (error) {
  console.error(`render-studio: ${describeStartFailure(error)}`);
  await stopEverything(1);
}
