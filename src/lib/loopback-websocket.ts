/**
 * The Amplify client always opens `wss://` for a custom GraphQL endpoint; the local simulator speaks plain `ws://`
 * on loopback. This returns a WebSocket class that downgrades `wss://` to `ws://` for loopback hosts only, for the
 * studio in local mode (`globalThis.WebSocket = withLoopbackWebSocket(WebSocket)`) and for tests in Node.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- TypeScript requires `any[]` for a mixin's constructor
export function withLoopbackWebSocket<T extends new (...args: any[]) => object>(Base: T): T {
  return class LoopbackWebSocket extends Base {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
    constructor(...args: any[]) {
      super(toLoopbackUrl(args[0] as string | URL), ...args.slice(1));
    }
  };
}

/** `wss://127.0.0.1:…`/`wss://localhost:…` → `ws://…`; any other URL unchanged. */
export function toLoopbackUrl(url: string | URL): string {
  const parsed = new URL(String(url));
  if (parsed.protocol === 'wss:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname))
    parsed.protocol = 'ws:';
  return parsed.toString();
}
