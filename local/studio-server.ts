import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin, ViteDevServer } from 'vite';

/** Serves the local `amplify_outputs.json` at `/amplify_outputs.json`, where the studio fetches it. */
function serveAmplifyOutputs(outputsFile: string): Plugin {
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

/** Starts the studio's Vite dev server (the project's own vite.config.ts) on 127.0.0.1:`port`. */
export async function startStudioServer(options: {
  projectRoot: string;
  outputsFile: string;
  port: number;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const { createServer } = await import('vite');
  const configFile = join(options.projectRoot, 'vite.config.ts');
  const server: ViteDevServer = await createServer({
    root: options.projectRoot,
    configFile: existsSync(configFile) ? configFile : false,
    plugins: [serveAmplifyOutputs(options.outputsFile)],
    server: { host: '127.0.0.1', port: options.port, strictPort: true },
    clearScreen: false,
    logLevel: 'warn',
  });
  try {
    await server.listen();
  } catch (error) {
    await server.close();
    throw /already in use/i.test(error instanceof Error ? error.message : '')
      ? new Error(
          `Studio: port ${options.port} is already in use. Stop whatever uses it or run with STUDIO_PORT=<free port>.`,
        )
      : error;
  }
  return {
    url: server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${options.port}/`,
    stop: () => server.close(),
  };
}
