// A bare AppSync realtime (WebSocket) client for tests that must see every message a subscriber gets, errors
// included, and pick their own selection sets — what the Amplify client hides.
import WebSocket from 'ws';

/** A message of AppSync's realtime protocol. */
export interface RealtimeMessage {
  type: string;
  id?: string;
  payload?: unknown;
}

/** What a `data` message carries: the subscription's execution result. */
export interface SubscriptionPayload {
  data: Record<string, Record<string, unknown> | null> | null;
  errors?: { message: string; errorType?: string }[];
}

/** An open realtime socket. */
export interface RealtimeSocket {
  /** Starts a subscription under this socket's auth; rejects with the server's answer unless it is `start_ack`. */
  subscribe(id: string, query: string, variables?: Record<string, unknown>): Promise<void>;
  /** Payloads of the `data` messages of subscription `id`, in arrival order. */
  dataOf(id: string): SubscriptionPayload[];
  /** Waits (≤ 20 s) for a `data` message of `id` that `accept` takes; fails with every message seen otherwise. */
  waitForData(
    id: string,
    accept: (payload: SubscriptionPayload) => boolean,
    what: string,
  ): Promise<SubscriptionPayload>;
  close(): void;
}

/** The auth headers of a user-pool caller, as the Amplify client sends them. */
export const userPoolAuth = (graphqlUrl: string, idToken: string): Record<string, string> => ({
  host: new URL(graphqlUrl).host,
  Authorization: idToken,
});

/** Opens the realtime socket with `auth` in the `header-` subprotocol (as the Amplify client does) and acks it. */
export async function openRealtimeSocket(
  realtimeUrl: string,
  auth: Record<string, string>,
): Promise<RealtimeSocket> {
  const header = Buffer.from(JSON.stringify(auth)).toString('base64url');
  const socket = new WebSocket(realtimeUrl, ['graphql-ws', `header-${header}`]);
  const messages: RealtimeMessage[] = [];
  socket.on('message', (raw: Buffer) =>
    messages.push(JSON.parse(raw.toString()) as RealtimeMessage),
  );
  await new Promise<void>((opened, failed) => {
    socket.once('open', () => opened());
    socket.once('unexpected-response', (_request, response) =>
      failed(
        new Error(
          `Expected the realtime socket at ${realtimeUrl} to open, but got HTTP ${response.statusCode}`,
        ),
      ),
    );
    socket.once('error', failed);
  });
  const waitFor = async (accept: (message: RealtimeMessage) => boolean, what: string) => {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const found = messages.find(accept);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `Expected ${what} on the realtime socket, but got ${JSON.stringify(messages)}`,
        );
      await new Promise((done) => setTimeout(done, 20));
    }
  };
  socket.send(JSON.stringify({ type: 'connection_init' }));
  await waitFor((message) => message.type === 'connection_ack', 'connection_ack');
  const dataOf = (id: string) =>
    messages
      .filter((message) => message.id === id && message.type === 'data')
      .map((message) => message.payload as SubscriptionPayload);
  return {
    async subscribe(id, query, variables = {}) {
      socket.send(
        JSON.stringify({
          id,
          type: 'start',
          payload: {
            data: JSON.stringify({ query, variables }),
            extensions: { authorization: auth },
          },
        }),
      );
      const answer = await waitFor(
        (message) => message.id === id && ['start_ack', 'error'].includes(message.type),
        `start_ack or error for ${id}`,
      );
      if (answer.type !== 'start_ack')
        throw new Error(`Expected start_ack for ${id}, but got ${JSON.stringify(answer)}`);
    },
    dataOf,
    async waitForData(id, accept, what) {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const found = dataOf(id).find(accept);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(
            `Expected ${what} on subscription ${id}, but got ${JSON.stringify(messages)}`,
          );
        await new Promise((done) => setTimeout(done, 20));
      }
    },
    close: () => socket.close(),
  };
}
