import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';
import { createUrlSigner, type UrlSigner } from './signed-urls';

/** A running output file server. */
export interface OutputServer {
  url: string;
  /** Signs URLs on this server's address. */
  signer: UrlSigner;
  stop(): Promise<void>;
}

/** Parses a single `bytes=a-b` / `bytes=a-` / `bytes=-n` range; `undefined` when unsatisfiable. */
export function parseByteRange(
  header: string,
  size: number,
): { start: number; end: number } | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start <= end && start < size ? { start, end } : undefined;
}

/**
 * Serves files under `rootDir` on 127.0.0.1, only for requests with a valid, unexpired signature
 * (forged or expired: 403). Supports single byte ranges so a `<video>` can seek. Hand-written rather
 * than `send`: it is not a direct dependency and one range form is all a browser's video element asks.
 */
export async function startOutputServer(options: {
  rootDir: string;
  /** HMAC secret of the signed URLs. */
  secret: Buffer;
  port?: number;
  now?: () => number;
}): Promise<OutputServer> {
  const rootDir = resolve(options.rootDir);
  const now = options.now ?? Date.now;
  const verifier = createUrlSigner(options.secret);
  const refuse = (response: ServerResponse, status: number, message: string) => {
    response.writeHead(status, { 'content-type': 'text/plain' }).end(`${message}\n`);
  };
  const server = createServer((request, response) => {
    response.setHeader('access-control-allow-origin', '*');
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return refuse(response, 405, 'Only GET and HEAD are served.');
    const verdict = verifier.verify(request.url ?? '/', now());
    if (!verdict.ok) return refuse(response, 403, `Forbidden: ${verdict.reason}.`);
    const file = join(rootDir, verdict.key);
    if (!file.startsWith(rootDir + sep))
      return refuse(response, 403, 'Forbidden: outside outputs.');
    stat(file).then(
      (info) => {
        const headers = {
          'content-type': file.endsWith('.mp4') ? 'video/mp4' : 'application/octet-stream',
          'accept-ranges': 'bytes',
          'cache-control': 'private, no-store',
        };
        const rangeHeader = request.headers.range;
        let range = { start: 0, end: info.size - 1 };
        if (rangeHeader) {
          const parsed = parseByteRange(rangeHeader, info.size);
          if (!parsed) {
            response.writeHead(416, { ...headers, 'content-range': `bytes */${info.size}` }).end();
            return;
          }
          range = parsed;
          response.writeHead(206, {
            ...headers,
            'content-range': `bytes ${range.start}-${range.end}/${info.size}`,
            'content-length': range.end - range.start + 1,
          });
        } else {
          response.writeHead(200, { ...headers, 'content-length': info.size });
        }
        if (request.method === 'HEAD' || info.size === 0) return response.end();
        createReadStream(file, range).pipe(response);
      },
      () => refuse(response, 404, 'No such output (not rendered, or deleted).'),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Output file server: port ${options.port} is already in use. Stop whatever uses it or choose another port.`,
            )
          : error,
      ),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    signer: createUrlSigner(options.secret, url),
    stop: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
