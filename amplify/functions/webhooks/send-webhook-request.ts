import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PinnedTarget } from './webhook-url-policy';

/** What came back from one POST: a status, or a network error / timeout (no status). */
export type SendResult =
  | { kind: 'answered'; statusCode: number; durationMs: number }
  | { kind: 'network-error'; message: string; durationMs: number }
  | { kind: 'timed-out'; durationMs: number };

/** One POST of a signed body; injected in tests of the delivery core. */
export type SendWebhookRequest = (request: {
  target: PinnedTarget;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}) => Promise<SendResult>;

/**
 * POSTs to the pinned address: the socket connects to `target.address` whatever DNS says now, while the Host
 * header and TLS server name stay the URL's host, so the certificate is still checked against the name.
 * Redirects are not followed (a 3xx is an answer), and the response body is read and dropped.
 */
export const sendWebhookRequest: SendWebhookRequest = async ({
  target,
  body,
  headers,
  timeoutMs,
}) => {
  const startedAt = performance.now();
  const durationMs = () => Math.round(performance.now() - startedAt);
  const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  return await new Promise<SendResult>((resolve) => {
    let settled = false;
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = send(
      target.url,
      {
        method: 'POST',
        lookup: pinnedLookup,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        agent: false,
      },
      (response) => {
        response.resume();
        response.on('end', () =>
          settle({
            kind: 'answered',
            statusCode: response.statusCode ?? 0,
            durationMs: durationMs(),
          }),
        );
        response.on('error', (error) =>
          settle({ kind: 'network-error', message: error.message, durationMs: durationMs() }),
        );
      },
    );
    // One deadline for the whole exchange (connect, headers and body), not an idle timeout.
    const timer = setTimeout(() => {
      settle({ kind: 'timed-out', durationMs: durationMs() });
      request.destroy();
    }, timeoutMs);
    request.on('error', (error) =>
      settle({ kind: 'network-error', message: error.message, durationMs: durationMs() }),
    );
    request.end(body);
  });
};
