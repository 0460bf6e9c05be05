// The studio in local mode for end-to-end tests and screenshots: a local stack in its own folder plus Vite,
// serving that stack's amplify_outputs.json the way `npm start` does.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ViteDevServer } from 'vite';
import {
  PROJECT_ROOT,
  startLocalStack,
  type LocalStack,
  type LocalStackFaults,
} from '../../local/stack';

/** A running studio over a running local stack. */
export interface StudioServer {
  stack: LocalStack;
  studioUrl: string;
  /** Every line the stack logged so far (confirmation codes, worker progress). */
  logLines: string[];
  stop(): Promise<void>;
}

/** Starts the local stack (renderer as given) in `dataDir` and a Vite dev server for the studio on a free port. */
export async function startStudioServer(options: {
  dataDir: string;
  renderer: 'remotion' | 'stub';
  stubRenderMs?: [number, number];
  port?: number;
  onLog?: (line: string) => void;
  /** Fault-injection seams (a poisoned renderer for the Operations test). */
  faults?: LocalStackFaults;
}): Promise<StudioServer> {
  const logLines: string[] = [];
  const stack = await startLocalStack({
    dataDir: options.dataDir,
    renderer: options.renderer,
    ...(options.stubRenderMs ? { stubRenderMs: options.stubRenderMs } : {}),
    ...(options.faults ? { faults: options.faults } : {}),
    log: (line) => {
      logLines.push(line);
      options.onLog?.(line);
    },
  });
  let vite: ViteDevServer | undefined;
  try {
    const { createServer } = await import('vite');
    const outputsFile = join(options.dataDir, 'amplify_outputs.json');
    vite = await createServer({
      root: PROJECT_ROOT,
      configFile: join(PROJECT_ROOT, 'vite.config.ts'),
      plugins: [
        {
          name: 'e2e-local-outputs',
          configureServer(server) {
            server.middlewares.use('/amplify_outputs.json', (_request, response) => {
              response.setHeader('content-type', 'application/json');
              response.end(readFileSync(outputsFile));
            });
          },
        },
      ],
      server: {
        host: '127.0.0.1',
        port: options.port ?? 0,
        strictPort: options.port !== undefined,
      },
      clearScreen: false,
      logLevel: 'warn',
    });
    await vite.listen();
  } catch (error) {
    await vite?.close();
    await stack.stop();
    throw error;
  }
  const address = vite.httpServer?.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    stack,
    studioUrl: `http://127.0.0.1:${port}/`,
    logLines,
    stop: async () => {
      await vite?.close();
      await stack.stop();
    },
  };
}
