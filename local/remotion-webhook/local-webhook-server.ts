import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  receiveRemotionWebhook,
  type WakeJobTracking,
} from '../../amplify/functions/remotion-webhook/receive-remotion-webhook';

/** The local stand-in of the remotion-webhook function URL. */
export interface LocalWebhookServer {
  url: string;
  stop(): Promise<void>;
}

// Remotion's payloads are a few KB; anything far larger is not one.
const MAX_BODY_BYTES = 256 * 1024;

const readBody = async (request: IncomingMessage): Promise<string | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * Serves the remotion-webhook function's code (`receiveRemotionWebhook`) on 127.0.0.1, as its function URL does in
 * the cloud: the local renderer calls it, signed the way Remotion signs, when a render ends.
 */
export async function startLocalWebhookServer(options: {
  secret: string;
  wake: WakeJobTracking;
  port?: number;
  log?: (line: string) => void;
}): Promise<LocalWebhookServer> {
  const log = options.log ?? (() => {});
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const answer =
        body === undefined
          ? { statusCode: 413, body: JSON.stringify({ message: 'The body is too large.' }) }
          : await receiveRemotionWebhook(
              {
                method: request.method ?? 'GET',
                headers: request.headers as Record<string, string | undefined>,
                body,
              },
              { secret: options.secret, wake: options.wake },
            );
      if (answer.statusCode >= 400) log(`remotion webhook: ${answer.statusCode} ${answer.body}`);
      response
        .writeHead(answer.statusCode, { 'content-type': 'application/json' })
        .end(answer.body);
    })().catch((error: unknown) => {
      log(`remotion webhook: failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
