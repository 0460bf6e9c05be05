// Webhooks to integrators against one local stack (stub renderer, the AppSync simulator, DynamoDB Local and its
// stream, fauxqs) and real receivers on loopback: retries keep the event id, a hanging receiver is timed out and
// retried, batches' ends are sent once each, rotation signs with both secrets, the README's verifier accepts real deliveries, SSRF refusals, and
// another user (or a client) cannot reach what is not theirs; a job ending that cannot be queued is given up into the
// fan-out's dead-letter queue. The delivery timings are shortened through the
// stack's `webhooks.policy` (the product keeps its 10 s timeout and 30 s backoff base).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../docs/examples/verify-webhook.mjs';
import { verifySignature } from '../../amplify/functions/webhooks/webhook-signature';
import {
  MAX_JOB_METADATA_BYTES,
  WEBHOOK_SIGNATURE_HEADER,
  webhookEventSchema,
} from '../../contract/webhook-contract';
import { startLocalStack, type LocalStack } from '../../local/stack';
import type { StreamBatchFailure } from '../../local/pipeline/job-stream-reader';
import { STREAM_SOURCE_RETRY_ATTEMPTS } from '../../amplify/render-pipeline/webhook-delivery';
import {
  createLocalUser,
  openJobTable,
  waitUntil,
  type LocalUser,
} from '../support/local-stack-session';

/** A receiver's attempt timeout in this test: below the product's 10 s so a hang costs 2 s, above a loaded CI's answer time. */
const TEST_TIMEOUT_MS = 2000;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number | 'hung';
}

let dataDir: string;
let stack: LocalStack;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
/** How each path answers its n-th request (0-based); default 200. */
const plans: Record<string, (n: number) => number | 'hang'> = {
  '/flaky': (n) => (n < 2 ? 503 : 200),
  '/hang': (n) => (n === 0 ? 'hang' : 200),
};
const stackLog: string[] = [];
let alma: LocalUser;
let boris: LocalUser;

type GraphqlBody = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; errorType?: string }[];
};

async function gql(
  user: LocalUser | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlBody> {
  const response = await fetch(stack.outputs.data.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(user ? { authorization: user.idToken } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlBody;
}

const errorsOf = (body: GraphqlBody) =>
  (body.errors ?? []).map((error) => error.message).join('; ');

async function addEndpoint(
  user: LocalUser,
  url: string,
  events: string[],
): Promise<{ endpointId: string; secret: string }> {
  const body = await gql(
    user,
    `mutation Add($url: String!, $events: [String]!) {
      addWebhookEndpoint(url: $url, events: $events) { endpointId secret } }`,
    { url, events },
  );
  const added = body.data?.addWebhookEndpoint as { endpointId: string; secret: string } | null;
  if (!added) throw new Error(`addWebhookEndpoint: ${errorsOf(body)}`);
  return added;
}

interface LoggedDelivery {
  id: string;
  eventId: string;
  eventType: string;
  attempt: number;
  outcome: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  nextRetryAt: string | null;
}

async function deliveryLog(user: LocalUser, endpointId: string): Promise<LoggedDelivery[]> {
  const body = await gql(
    user,
    `query Log($endpointId: ID!) { listWebhookDeliveriesByEndpoint(endpointId: $endpointId) {
      items { id eventId eventType attempt outcome statusCode durationMs error nextRetryAt } } }`,
    { endpointId },
  );
  const page = body.data?.listWebhookDeliveriesByEndpoint as { items: LoggedDelivery[] } | null;
  if (!page) throw new Error(`listWebhookDeliveriesByEndpoint: ${errorsOf(body)}`);
  return page.items;
}

const requestsTo = (path: string) => received.filter((request) => request.path === path);
const eventIdOf = (request: Received) => request.headers['render-studio-event-id'];
const describeState = () =>
  `received: ${JSON.stringify(received.map(({ path, answered, headers }) => ({ path, answered, attempt: headers['render-studio-delivery-attempt'] })))}; log tail: ${stackLog.slice(-15).join(' | ')}`;

beforeAll(async () => {
  const counts = new Map<string, number>();
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const n = counts.get(path) ?? 0;
      counts.set(path, n + 1);
      const answer = plans[path]?.(n) ?? 200;
      received.push({
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered: answer === 'hang' ? 'hung' : answer,
      });
      // A hanging receiver never answers; the sender's deadline must end the attempt.
      if (answer === 'hang') return;
      response.writeHead(answer).end();
    });
  });
  await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  dataDir = mkdtempSync(join(tmpdir(), 'webhooks-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [100, 200],
    webhooks: {
      policy: { timeoutMs: TEST_TIMEOUT_MS, backoffBaseMs: 200, maxBackoffMs: 400 },
    },
    log: (line) => stackLog.push(line),
  });
  alma = await createLocalUser(stack, 'alma-hooks@example.com');
  boris = await createLocalUser(stack, 'boris-hooks@example.com');
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  receiver?.closeAllConnections();
  await new Promise<void>((done) => (receiver ? receiver.close(() => done()) : done()));
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('webhook deliveries from a local stack to real receivers', () => {
  let flaky: { endpointId: string; secret: string };

  it('delivers a job ending to a receiver that fails twice: three attempts, one event id, metadata echoed, verifiable with the README verifier', async () => {
    flaky = await addEndpoint(alma, `${receiverUrl}/flaky`, ['job.succeeded', 'job.failed']);
    const created = await gql(
      alma,
      `mutation Create($input: CreateJobInput!) { createJob(input: $input) { id } }`,
      {
        input: {
          compositionId: 'title-card',
          title: 'Hooked',
          inputProps: JSON.stringify({ title: 'Hooked' }),
          metadata: JSON.stringify({ orderId: '42', tags: ['a'] }),
        },
      },
    );
    const jobId = (created.data?.createJob as { id: string } | null)?.id;
    expect(jobId, errorsOf(created)).toBeTruthy();

    const attempts = await waitUntil(
      'three attempts at /flaky, the last answered 200',
      () => {
        const all = requestsTo('/flaky');
        return all.length >= 3 && all[2]!.answered === 200 ? all : undefined;
      },
      30_000,
      describeState,
    );
    expect(attempts.map((request) => request.answered)).toEqual([503, 503, 200]);
    expect(attempts.map((request) => request.headers['render-studio-delivery-attempt'])).toEqual([
      '1',
      '2',
      '3',
    ]);
    // As far as the receiver can tell it is one event: the same id and the same body every time.
    expect(new Set(attempts.map(eventIdOf)).size).toBe(1);
    expect(new Set(attempts.map((request) => request.body)).size).toBe(1);
    const event = webhookEventSchema.parse(JSON.parse(attempts[0]!.body));
    expect(event.id).toBe(eventIdOf(attempts[0]!));
    expect(event.type).toBe('job.succeeded');
    if (event.type !== 'job.succeeded') throw new Error('unreachable');
    expect(event.data).toMatchObject({
      id: jobId,
      status: 'SUCCEEDED',
      metadata: { orderId: '42', tags: ['a'] },
    });
    for (const request of attempts) {
      const header = request.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
      expect(verifyWebhook(header, request.body, flaky.secret)).toBe(true);
      expect(verifyWebhook(header, `${request.body} `, flaky.secret)).toBe(false);
      expect(verifyWebhook(header, request.body, 'whsec_someone-else')).toBe(false);
      expect(verifyWebhook(header, request.body, flaky.secret, Date.now() / 1000 + 301)).toBe(
        false,
      );
    }

    const log = await waitUntil(
      'three attempts in the delivery log',
      async () => {
        const entries = await deliveryLog(alma, flaky.endpointId);
        return entries.length >= 3 ? entries : undefined;
      },
      10_000,
      describeState,
    );
    const byAttempt = [...log].sort((a, b) => a.attempt - b.attempt);
    expect(
      byAttempt.map(({ attempt, outcome, statusCode }) => ({ attempt, outcome, statusCode })),
      JSON.stringify(byAttempt),
    ).toEqual([
      { attempt: 1, outcome: 'RETRYING', statusCode: 503 },
      { attempt: 2, outcome: 'RETRYING', statusCode: 503 },
      { attempt: 3, outcome: 'DELIVERED', statusCode: 200 },
    ]);
    expect(byAttempt[0]!.nextRetryAt).toMatch(/^\d{4}-/);
    expect(byAttempt[2]!.nextRetryAt).toBeNull();
    expect(new Set(byAttempt.map((entry) => entry.eventId))).toEqual(new Set([event.id]));
  }, 60_000);

  it('sends one batch.finished per batch end, with its counts and metadata: a finished batch and a cancelled one', async () => {
    const hooks = await addEndpoint(alma, `${receiverUrl}/batches`, ['batch.finished']);
    const createBatch = async (token: string, rowCount: number, metadata?: object) => {
      const body = await gql(
        alma,
        `mutation($t: String!, $n: Int!, $m: AWSJSON) { createBatch(clientToken: $t, compositionId: "title-card", rowCount: $n, title: "Hooked batch", metadata: $m) { id } }`,
        { t: token, n: rowCount, m: metadata ? JSON.stringify(metadata) : null },
      );
      const id = (body.data?.createBatch as { id: string } | null)?.id;
      if (!id) throw new Error(`createBatch: ${errorsOf(body)}`);
      return id;
    };
    const addRows = async (batchId: string, rows: object[]) => {
      const body = await gql(
        alma,
        `mutation($b: ID!, $rows: AWSJSON!) { addBatchRows(batchId: $b, firstRowIndex: 0, rows: $rows) { added } }`,
        { b: batchId, rows: JSON.stringify(rows) },
      );
      expect(errorsOf(body)).toBe('');
    };
    const finished = await createBatch('hooks-batch-finished', 2, { campaign: 'spring' });
    await addRows(finished, [{ title: 'One' }, { title: 'Two' }]);
    // Two rows announced, one added: the batch stays OPEN, so the cancel cannot lose a race with its rows.
    const cancelled = await createBatch('hooks-batch-cancelled', 2);
    await addRows(cancelled, [{ title: 'Three' }]);
    const cancel = await gql(alma, `mutation($b: ID!) { cancelBatch(batchId: $b) { status } }`, {
      b: cancelled,
    });
    expect(cancel.data?.cancelBatch).toEqual({ status: 'CANCELLED' });

    await waitUntil(
      'both batches delivered',
      () => (requestsTo('/batches').length >= 2 ? true : undefined),
      40_000,
      describeState,
    );
    // Every write of both batches is fanned out by now; a test event queued after them arrives after any repeat.
    await stack.batchProgressIdle();
    await stack.webhooks.caughtUp();
    const before = requestsTo('/batches').length;
    await gql(
      alma,
      `mutation Test($endpointId: ID!) { sendTestWebhookEvent(endpointId: $endpointId) { eventId } }`,
      { endpointId: hooks.endpointId },
    );
    await waitUntil(
      'the test event behind the batch events',
      () =>
        requestsTo('/batches')
          .slice(before)
          .find((request) => request.body.includes('webhook.test')),
      15_000,
      describeState,
    );

    const events = requestsTo('/batches')
      .map((request) => webhookEventSchema.parse(JSON.parse(request.body)))
      .filter((event) => event.type === 'batch.finished');
    expect(events.map((event) => event.data.id).sort()).toEqual([finished, cancelled].sort());
    const byBatch = new Map(events.map((event) => [event.data.id, event]));
    expect(byBatch.get(finished)?.data).toMatchObject({
      status: 'FINISHED',
      rowCount: 2,
      counts: { queued: 0, rendering: 0, succeeded: 2, failed: 0, cancelled: 0 },
      metadata: { campaign: 'spring' },
    });
    expect(byBatch.get(cancelled)?.data).toMatchObject({ status: 'CANCELLED', metadata: null });
    // Its one added row ended (cancelled, or done if it finished first): nothing left queued or rendering.
    expect(byBatch.get(cancelled)?.data).toMatchObject({ counts: { queued: 0, rendering: 0 } });
    for (const request of requestsTo('/batches'))
      expect(
        verifyWebhook(
          request.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string,
          request.body,
          hooks.secret,
        ),
      ).toBe(true);
  }, 60_000);

  it('times out a receiver that hangs and retries it, with the same event id', async () => {
    const hang = await addEndpoint(alma, `${receiverUrl}/hang`, ['job.succeeded']);
    const sent = await gql(
      alma,
      `mutation Test($endpointId: ID!) { sendTestWebhookEvent(endpointId: $endpointId) { eventId } }`,
      { endpointId: hang.endpointId },
    );
    expect(errorsOf(sent)).toBe('');
    const requests = await waitUntil(
      'a second request after the hung one',
      () => (requestsTo('/hang').length >= 2 ? requestsTo('/hang') : undefined),
      20_000,
      describeState,
    );
    expect(requests.map((request) => request.answered)).toEqual(['hung', 200]);
    expect(eventIdOf(requests[0]!)).toBe(eventIdOf(requests[1]!));
    expect(eventIdOf(requests[0]!)).toBe(
      (sent.data?.sendTestWebhookEvent as { eventId: string }).eventId,
    );
    const log = await waitUntil(
      'both attempts logged',
      async () => {
        const entries = await deliveryLog(alma, hang.endpointId);
        return entries.length >= 2 ? entries : undefined;
      },
      10_000,
    );
    const first = log.find((entry) => entry.attempt === 1)!;
    expect(first).toMatchObject({ outcome: 'RETRYING', statusCode: null });
    expect(first.error).toMatch(/timed out after \d+ ms/);
    expect(first.durationMs).toBeGreaterThanOrEqual(TEST_TIMEOUT_MS);
  }, 40_000);

  it('rotates the secret: deliveries carry both signatures during the grace period, and the new secret is shown once', async () => {
    const rotated = await gql(
      alma,
      `mutation Rotate($endpointId: ID!) { rotateWebhookSecret(endpointId: $endpointId) { endpointId secret } }`,
      { endpointId: flaky.endpointId },
    );
    const fresh = (rotated.data?.rotateWebhookSecret as { secret: string } | null)?.secret;
    expect(fresh, errorsOf(rotated)).toMatch(/^whsec_/);
    expect(fresh).not.toBe(flaky.secret);
    const before = requestsTo('/flaky').length;
    await gql(
      alma,
      `mutation Test($endpointId: ID!) { sendTestWebhookEvent(endpointId: $endpointId) { eventId } }`,
      { endpointId: flaky.endpointId },
    );
    const request = await waitUntil(
      'the test event after the rotation',
      () => requestsTo('/flaky')[before],
      15_000,
      describeState,
    );
    const header = request.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
    expect(header.match(/v1=/g)).toHaveLength(2);
    expect(verifyWebhook(header, request.body, fresh!)).toBe(true);
    expect(verifyWebhook(header, request.body, flaky.secret)).toBe(true);
    const nowSeconds = Math.floor(Date.now() / 1000);
    expect(verifySignature({ header, body: request.body, secret: fresh!, nowSeconds })).toEqual({
      ok: true,
    });
    // The secret itself is never readable back: the type has no such field, and no query reaches the secrets table.
    const read = await gql(alma, `query { listWebhookEndpoints { items { id secret } } }`);
    expect(errorsOf(read)).toMatch(/secret/);
    const secrets = await gql(alma, `query { listWebhookSecrets { items { current } } }`);
    expect(errorsOf(secrets)).toMatch(/listWebhookSecrets/);
  }, 30_000);

  it('redelivers a logged event with the same id and body', async () => {
    const log = await deliveryLog(alma, flaky.endpointId);
    const delivered = log.find(
      (entry) => entry.outcome === 'DELIVERED' && entry.eventType === 'job.succeeded',
    )!;
    const before = requestsTo('/flaky').length;
    const redelivered = await gql(
      alma,
      `mutation Again($deliveryId: ID!) { redeliverWebhook(deliveryId: $deliveryId) { eventId } }`,
      { deliveryId: delivered.id },
    );
    expect(errorsOf(redelivered)).toBe('');
    const request = await waitUntil(
      'the redelivery',
      () => requestsTo('/flaky')[before],
      15_000,
      describeState,
    );
    expect(eventIdOf(request)).toBe(delivered.eventId);
    expect(request.body).toBe(requestsTo('/flaky')[0]!.body);
  }, 30_000);

  it('refuses URLs outside the policy when added, and a name resolving to loopback over https at send time', async () => {
    const refusals = [
      ['http://example.com/hook', /https/],
      ['https://10.0.0.8/hook', /public address/],
      ['https://169.254.169.254/latest/meta-data', /public address/],
      ['https://[::1]/hook', /public address/],
      ['https://user:pw@example.com/hook', /user name or password/],
    ] as const;
    for (const [url, message] of refusals) {
      const body = await gql(
        alma,
        `mutation Add($url: String!) { addWebhookEndpoint(url: $url, events: ["job.succeeded"]) { endpointId } }`,
        { url },
      );
      expect(body.data?.addWebhookEndpoint ?? null, url).toBeNull();
      expect(errorsOf(body), url).toMatch(message);
    }
    // `localhost` over https is not local mode's http://localhost exception: it resolves to loopback, refused when sent.
    const port = (receiver.address() as AddressInfo).port;
    const sneaky = await addEndpoint(alma, `https://localhost:${port}/sneaky`, ['job.succeeded']);
    await gql(
      alma,
      `mutation Test($endpointId: ID!) { sendTestWebhookEvent(endpointId: $endpointId) { eventId } }`,
      { endpointId: sneaky.endpointId },
    );
    const [entry] = await waitUntil(
      'the refused attempt in the log',
      async () => {
        const entries = await deliveryLog(alma, sneaky.endpointId);
        return entries.length > 0 ? entries : undefined;
      },
      15_000,
      describeState,
    );
    expect(entry).toMatchObject({ outcome: 'FAILED', statusCode: null, nextRetryAt: null });
    expect(entry!.error).toMatch(/loopback/);
    expect(requestsTo('/sneaky')).toHaveLength(0);
  }, 30_000);
});

describe('webhook attacks', () => {
  let almas: { endpointId: string; secret: string };
  let almasDeliveryId: string;

  beforeAll(async () => {
    almas = await addEndpoint(alma, `${receiverUrl}/alma`, ['job.failed']);
    await gql(
      alma,
      `mutation Test($endpointId: ID!) { sendTestWebhookEvent(endpointId: $endpointId) { eventId } }`,
      { endpointId: almas.endpointId },
    );
    const [entry] = await waitUntil(
      "Alma's test delivery logged",
      async () => {
        const entries = await deliveryLog(alma, almas.endpointId);
        return entries.length > 0 ? entries : undefined;
      },
      15_000,
      describeState,
    );
    almasDeliveryId = entry!.id;
  }, 30_000);

  it("another user cannot read Alma's endpoints or deliveries", async () => {
    const list = await gql(boris, `query { listWebhookEndpoints { items { id url } } }`);
    expect(list.data?.listWebhookEndpoints).toEqual({ items: [] });
    const get = await gql(boris, `query Get($id: ID!) { getWebhookEndpoint(id: $id) { id url } }`, {
      id: almas.endpointId,
    });
    expect(get.data?.getWebhookEndpoint ?? null).toBeNull();
    expect(await deliveryLog(boris, almas.endpointId)).toEqual([]);
    const delivery = await gql(
      boris,
      `query Get($id: ID!) { getWebhookDelivery(id: $id) { id payload } }`,
      { id: almasDeliveryId },
    );
    expect(delivery.data?.getWebhookDelivery ?? null).toBeNull();
    // Alma herself sees both.
    expect((await deliveryLog(alma, almas.endpointId)).length).toBeGreaterThan(0);
  });

  it("another user cannot change, rotate, test, remove or redeliver Alma's webhooks", async () => {
    const attempts = [
      [
        `mutation M($id: ID!) { updateWebhookEndpoint(endpointId: $id, enabled: false) }`,
        almas.endpointId,
      ],
      [
        `mutation M($id: ID!) { rotateWebhookSecret(endpointId: $id) { secret } }`,
        almas.endpointId,
      ],
      [
        `mutation M($id: ID!) { sendTestWebhookEvent(endpointId: $id) { eventId } }`,
        almas.endpointId,
      ],
      [`mutation M($id: ID!) { removeWebhookEndpoint(endpointId: $id) }`, almas.endpointId],
      [`mutation M($id: ID!) { redeliverWebhook(deliveryId: $id) { eventId } }`, almasDeliveryId],
    ] as const;
    for (const [query, id] of attempts) {
      const body = await gql(boris, query, { id });
      expect(errorsOf(body), query).toMatch(/No such (webhook endpoint|delivery)/);
    }
    const still = await gql(
      alma,
      `query Get($id: ID!) { getWebhookEndpoint(id: $id) { enabled } }`,
      {
        id: almas.endpointId,
      },
    );
    expect(still.data?.getWebhookEndpoint).toEqual({ enabled: true });
  });

  it('a client cannot write endpoints, deliveries or server-owned fields directly, nor call anything signed out', async () => {
    const direct = [
      `mutation { createWebhookEndpoint(input: { url: "https://example.com", events: ["job.failed"], enabled: true }) { id } }`,
      `mutation { createWebhookDelivery(input: { endpointId: "x", eventId: "evt_x", eventType: "job.failed", attempt: 1, outcome: "DELIVERED", durationMs: 1, payload: "{}" }) { id } }`,
      `mutation { deleteWebhookEndpoint(input: { id: "${almas.endpointId}" }) { id } }`,
      `mutation { updateWebhookEndpoint(endpointId: "${almas.endpointId}", url: "https://evil.example") }`,
      `mutation { addWebhookEndpoint(url: "https://example.com", events: ["job.failed"], owner: "someone") { endpointId } }`,
    ];
    for (const query of direct) {
      const body = await gql(alma, query);
      expect(body.errors?.length ?? 0, query).toBeGreaterThan(0);
      expect(body.data ?? null, query).toBeNull();
    }
    const signedOut = await gql(
      undefined,
      `mutation { addWebhookEndpoint(url: "https://example.com", events: ["job.failed"]) { endpointId } }`,
    );
    expect(signedOut.data?.addWebhookEndpoint ?? null).toBeNull();
    expect(errorsOf(signedOut)).not.toBe('');
  });

  it('the owner may change only events and enabled, and removing an endpoint removes it', async () => {
    const updated = await gql(
      alma,
      `mutation M($id: ID!) { updateWebhookEndpoint(endpointId: $id, events: ["job.failed", "job.cancelled"], enabled: false) }`,
      { id: almas.endpointId },
    );
    expect(errorsOf(updated)).toBe('');
    const read = await gql(
      alma,
      `query Get($id: ID!) { getWebhookEndpoint(id: $id) { events enabled url } }`,
      {
        id: almas.endpointId,
      },
    );
    expect(read.data?.getWebhookEndpoint).toEqual({
      events: ['job.failed', 'job.cancelled'],
      enabled: false,
      url: `${receiverUrl}/alma`,
    });
    const badEvent = await gql(
      alma,
      `mutation M($id: ID!) { updateWebhookEndpoint(endpointId: $id, events: ["job.exploded"]) }`,
      { id: almas.endpointId },
    );
    expect(errorsOf(badEvent)).toMatch(/events must each be one of job\.succeeded/);
    const removed = await gql(
      alma,
      `mutation M($id: ID!) { removeWebhookEndpoint(endpointId: $id) }`,
      {
        id: almas.endpointId,
      },
    );
    expect(errorsOf(removed)).toBe('');
    const gone = await gql(alma, `query Get($id: ID!) { getWebhookEndpoint(id: $id) { id } }`, {
      id: almas.endpointId,
    });
    expect(gone.data?.getWebhookEndpoint ?? null).toBeNull();
  });

  it('job metadata over 2 KB is refused with a clear message: the job ends FAILED, saying why', async () => {
    const big = JSON.stringify({ notes: 'x'.repeat(MAX_JOB_METADATA_BYTES) });
    const created = await gql(
      alma,
      `mutation Create($input: CreateJobInput!) { createJob(input: $input) { id } }`,
      {
        input: {
          compositionId: 'title-card',
          title: 'Too much metadata',
          inputProps: JSON.stringify({ title: 'Too much metadata' }),
          metadata: big,
        },
      },
    );
    const jobId = (created.data?.createJob as { id: string } | null)?.id;
    expect(jobId, errorsOf(created)).toBeTruthy();
    const table = openJobTable(stack);
    try {
      const job = await waitUntil(
        'the job refused',
        async () => {
          const stored = await table.get(jobId!);
          return stored?.status === 'FAILED' ? stored : undefined;
        },
        20_000,
        describeState,
      );
      expect(job.errorMessage).toMatch(
        /metadata must be at most 2048 bytes of JSON, but got \d+ bytes/,
      );
    } finally {
      table.close();
    }
  }, 30_000);

  // Last: it deletes the webhook queue, which nothing after it may need.
  it("gives up a job ending the fan-out keeps failing to queue, as the cloud's event source does: described in the fan-out's DLQ", async () => {
    await addEndpoint(alma, `${receiverUrl}/never`, ['job.succeeded']);
    const sqs = new SQSClient({
      endpoint: stack.queue.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      // Every send of the fan-out now fails, so the Job stream's reader reports the ending's record failed.
      await sqs.send(new DeleteQueueCommand({ QueueUrl: stack.webhooks.queueUrl }));
      const created = await gql(
        alma,
        `mutation Create($input: CreateJobInput!) { createJob(input: $input) { id } }`,
        {
          input: {
            compositionId: 'title-card',
            title: 'Unqueueable',
            inputProps: JSON.stringify({ title: 'Unqueueable' }),
          },
        },
      );
      expect(
        (created.data?.createJob as { id: string } | null)?.id,
        errorsOf(created),
      ).toBeTruthy();
      const message = await waitUntil(
        "a description in the fan-out's dead-letter queue",
        async () => {
          const { Messages = [] } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: stack.webhooks.fanoutDeadLetterQueueUrl,
              WaitTimeSeconds: 1,
            }),
          );
          return Messages[0];
        },
        60_000,
        describeState,
      );
      const failure = JSON.parse(message.Body ?? '{}') as StreamBatchFailure;
      expect(failure.requestContext).toEqual({
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: STREAM_SOURCE_RETRY_ATTEMPTS + 1,
      });
      expect(failure.DDBStreamBatchInfo).toMatchObject({
        streamArn: stack.dataPlane.dynamodb.jobTableStreamArn,
        batchSize: 1,
      });
      expect(failure.DDBStreamBatchInfo.startSequenceNumber).toBe(
        failure.DDBStreamBatchInfo.endSequenceNumber,
      );
      expect(stackLog.some((line) => line.includes('stream reader: gave up on record'))).toBe(true);
    } finally {
      sqs.destroy();
    }
  }, 90_000);
});
