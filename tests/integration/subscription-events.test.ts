// What subscribers receive, against the local data plane (DynamoDB Local, the AppSync simulator behind its gate,
// cognito-local). AppSync sends subscribers the triggering mutation's response, not the stored item: "the
// mutation selection set is sent to subscribers" (AppSync developer guide, real-time data), so unselected fields
// arrive null, and an owner-scoped subscription's filter sees `owner` only if the mutation selected it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
import { Hub } from 'aws-amplify/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Schema } from '../../amplify/data/resource';
import {
  createAppSyncJobStore,
  type GraphqlTransport,
} from '../../amplify/functions/render-worker/appsync-job-store';
import { withLoopbackWebSocket } from '../../src/lib/loopback-websocket';
import { startDataPlane, toAmplifyOutputs, type DataPlane } from '../../local/data-plane';
import { createSigV4GraphqlTransport } from '../../local/worker/sigv4-graphql-transport';
import { createAmplifyJobsApi } from '../../src/features/jobs/api/amplify-jobs-api';
import { JOB_SELECTION_SET, type Job } from '../../src/features/jobs/api/jobs-api';
import {
  openRealtimeSocket,
  userPoolAuth,
  type RealtimeSocket,
  type SubscriptionPayload,
} from '../support/realtime-socket';

const USER_A = { email: 'ada@example.com', password: 'Ada-pass-1234' };
const USER_B = { email: 'ben@example.com', password: 'Ben-pass-1234' };

let dataDir: string;
let plane: DataPlane;
const tokens = { a: '', b: '' };
/** The worker's transport: IAM (SigV4) requests, as the render worker sends them. */
let worker: GraphqlTransport;
const sockets: RealtimeSocket[] = [];

/** `createJob` over HTTP with the user's JWT; resolves with the new job's id. */
async function createJobAs(token: string, title: string): Promise<string> {
  const response = await fetch(plane.graphql.url, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation Create($input: CreateJobInput!) { createJob(input: $input) { id } }',
      variables: {
        input: { compositionId: 'title-card', title, inputProps: JSON.stringify({ title }) },
      },
    }),
  });
  const body = (await response.json()) as { data?: { createJob?: { id: string } | null } };
  const id = body.data?.createJob?.id;
  if (!id) throw new Error(`createJob: expected an id, but got ${JSON.stringify(body)}`);
  return id;
}

/** An `updateJob` by the worker (IAM) that selects exactly `selection`. */
const updateAsWorker = (id: string, input: Record<string, unknown>, selection: string) =>
  worker(`mutation Update($input: UpdateJobInput!) { updateJob(input: $input) { ${selection} } }`, {
    input: { id, ...input },
  });

async function openAs(auth: Record<string, string>): Promise<RealtimeSocket> {
  const socket = await openRealtimeSocket(plane.graphql.realtimeUrl, auth);
  sockets.push(socket);
  return socket;
}
const openAsUser = (token: string) => openAs(userPoolAuth(plane.graphql.url, token));

const onUpdateJob = (selection: string) => `subscription Watch { onUpdateJob { ${selection} } }`;
const jobOf = (payload: SubscriptionPayload) => payload.data?.onUpdateJob ?? null;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'subscription-events-'));
  plane = await startDataPlane({ dataDir });
  for (const user of [USER_A, USER_B]) await plane.cognito.createUser(user.email, user.password);
  tokens.a = (await plane.cognito.signIn(USER_A.email, USER_A.password)).idToken;
  tokens.b = (await plane.cognito.signIn(USER_B.email, USER_B.password)).idToken;
  worker = createSigV4GraphqlTransport({
    url: plane.graphql.url,
    region: plane.graphql.region,
    credentials: plane.workerCredentials,
  });
  // The studio's client, as in local mode: Node 20 has no global WebSocket, and the simulator speaks ws://.
  (globalThis as { WebSocket?: unknown }).WebSocket = withLoopbackWebSocket(WebSocket);
  Amplify.configure(toAmplifyOutputs(plane) as unknown as Parameters<typeof Amplify.configure>[0]);
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await plane?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('subscription events', () => {
  it('carry only the fields the mutation selected: the rest are null, a required one fails the event', async () => {
    // Prepare: A's job with progress stored, then A subscribed with two selection sets.
    const jobId = await createJobAs(tokens.a, 'partial');
    await updateAsWorker(jobId, { status: 'RENDERING', progress: 0.5, renderedFrames: 10 }, 'id');
    const a = await openAsUser(tokens.a);
    await a.subscribe('nullable', onUpdateJob('id owner status progress renderedFrames'));
    await a.subscribe('required', onUpdateJob('id compositionId'));

    // Act: the worker's mutation selects `id owner status` only.
    await updateAsWorker(jobId, { status: 'SUCCEEDED' }, 'id owner status');

    // Assess
    const event = await a.waitForData('nullable', (p) => jobOf(p)?.id === jobId, 'the update');
    expect(event).toEqual({
      data: {
        onUpdateJob: {
          id: jobId,
          owner: expect.any(String),
          status: 'SUCCEEDED',
          progress: null,
          renderedFrames: null,
        },
      },
    });
    const failed = await a.waitForData('required', () => true, 'the update');
    // As AppSync answers it (aws-amplify/amplify-category-api#1338): no data, an error naming the field.
    expect(failed.data).toEqual({ onUpdateJob: null });
    expect(failed.errors?.map((error) => error.message)).toEqual([
      expect.stringMatching(/non-nullable.*Job\.compositionId/),
    ]);
  });

  it('reach no owner subscriber when the mutation did not select `owner`', async () => {
    // Prepare: one job each for A and B, both subscribed.
    const [jobA, jobB] = await Promise.all([
      createJobAs(tokens.a, 'no owner A'),
      createJobAs(tokens.b, 'no owner B'),
    ]);
    const a = await openAsUser(tokens.a);
    const b = await openAsUser(tokens.b);
    await a.subscribe('updates', onUpdateJob('id owner status'));
    await b.subscribe('updates', onUpdateJob('id owner status'));

    // Act: updates without `owner` in their selection, then (the barrier) the same jobs with it. Events of one
    // subscription arrive in the order they were published, so a missed event cannot still be on its way.
    await updateAsWorker(jobA, { status: 'RENDERING' }, 'id status');
    await updateAsWorker(jobB, { status: 'RENDERING' }, 'id status');
    await updateAsWorker(jobA, { status: 'SUCCEEDED' }, 'id owner status');
    await updateAsWorker(jobB, { status: 'SUCCEEDED' }, 'id owner status');
    await a.waitForData('updates', (p) => jobOf(p)?.id === jobA, "A's barrier");
    await b.waitForData('updates', (p) => jobOf(p)?.id === jobB, "B's barrier");

    // Assess
    const seen = (socket: RealtimeSocket) =>
      socket.dataOf('updates').map((payload) => {
        const job = jobOf(payload);
        return { id: job?.id, status: job?.status, hasOwner: typeof job?.owner === 'string' };
      });
    expect(seen(a)).toEqual([{ id: jobA, status: 'SUCCEEDED', hasOwner: true }]);
    expect(seen(b)).toEqual([{ id: jobB, status: 'SUCCEEDED', hasOwner: true }]);
  });

  it("reach the owner's studio subscription from the worker's real job store, with every field the studio reads", async () => {
    // Prepare: the studio's own subscription (its adapter, its selection set) as A; a job of A's.
    const jobId = await createJobAs(tokens.a, 'studio');
    const received: Job[] = [];
    const errors: Error[] = [];
    const acknowledged = new Promise<void>((done) => {
      const stop = Hub.listen('api', ({ payload }) => {
        const query = (payload.data as { query?: string } | undefined)?.query ?? '';
        // Amplify's CONTROL_MSG.SUBSCRIPTION_ACK: AppSync acknowledged this subscription.
        if (payload.event === 'Subscription ack' && query.includes('onUpdateJob')) {
          stop();
          done();
        }
      });
    });
    const api = createAmplifyJobsApi(
      generateClient<Schema>({ authMode: 'lambda', authToken: tokens.a }),
    );
    const unsubscribe = api.subscribe({
      onJob: (job) => received.push(job),
      onError: (error) => errors.push(error),
    });
    await acknowledged;

    // Act: the worker's store claims the job and reports progress (its real documents, over IAM).
    const store = createAppSyncJobStore(worker);
    const startedAt = new Date().toISOString();
    expect(
      await store.update(
        jobId,
        { status: 'QUEUED', renderId: null },
        { status: 'RENDERING', startedAt, progress: 0 },
      ),
    ).toBe(true);
    expect(
      await store.update(
        jobId,
        { status: 'RENDERING', startedAt },
        { progress: 0.5, renderedFrames: 75, totalFrames: 150, etaSeconds: 6 },
      ),
    ).toBe(true);
    const deadline = Date.now() + 20_000;
    while (!received.some((job) => job.id === jobId && job.progress === 0.5)) {
      if (Date.now() > deadline || errors.length > 0)
        throw new Error(
          `Expected the studio to receive the progress update, but got ${JSON.stringify({ received, errors: errors.map(String) })}`,
        );
      await new Promise((done) => setTimeout(done, 20));
    }
    unsubscribe();

    // Assess: the event holds what the owner reads back for every field the studio reads.
    const latest = received.filter((job) => job.id === jobId).at(-1)!;
    const readBack = await fetch(plane.graphql.url, {
      method: 'POST',
      headers: { authorization: tokens.a, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query Get($id: ID!) { getJob(id: $id) { ${JOB_SELECTION_SET.join(' ')} } }`,
        variables: { id: jobId },
      }),
    });
    const stored = ((await readBack.json()) as { data: { getJob: Job } }).data.getJob;
    expect(stored).toMatchObject({ status: 'RENDERING', progress: 0.5, startedAt });
    expect(Object.fromEntries(JOB_SELECTION_SET.map((field) => [field, latest[field]]))).toEqual(
      stored,
    );
    expect(errors).toEqual([]);
  });
});
