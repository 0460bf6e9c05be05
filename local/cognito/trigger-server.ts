import { createServer, type Server } from 'node:http';

/** A Cognito trigger as local mode runs it: the same handler the Lambda runs, given Cognito's event. */
export type LocalTrigger = (event: Record<string, unknown>) => Promise<unknown>;

/** A running stand-in for Lambda's Invoke API, which cognito-local calls for its triggers. */
export interface TriggerServer {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Serves Lambda's Invoke API (`POST /2015-03-31/functions/<name>/invocations`) for the given triggers on 127.0.0.1, so
 * cognito-local runs them through its own trigger code, with Cognito's event shape. A thrown error is answered the
 * way Lambda reports a function error, and cognito-local refuses the call as Cognito does
 * ("PreSignUp failed with error …").
 */
export async function startTriggerServer(
  triggers: Record<string, LocalTrigger>,
): Promise<TriggerServer> {
  const server: Server = createServer((req, res) => {
    void (async () => {
      const name = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1];
      const trigger = name ? triggers[decodeURIComponent(name)] : undefined;
      if (req.method !== 'POST' || !trigger) {
        res
          .writeHead(404, { 'content-type': 'application/json' })
          .end(JSON.stringify({ Type: 'User', message: `Function not found: ${name ?? req.url}` }));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
        string,
        unknown
      >;
      try {
        const result = await trigger(event);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } catch (error) {
        res
          .writeHead(200, {
            'content-type': 'application/json',
            'x-amz-function-error': 'Unhandled',
          })
          .end(
            JSON.stringify({
              errorType: error instanceof Error ? error.name : 'Error',
              errorMessage: error instanceof Error ? error.message : String(error),
            }),
          );
      }
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: String(error) }));
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
