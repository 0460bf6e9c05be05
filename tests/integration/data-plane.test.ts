import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Amplify } from 'aws-amplify';
import { signIn } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { generateClient } from 'aws-amplify/data';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { Schema } from '../../amplify/data/resource';
import { startDataPlane, toAmplifyOutputs, type DataPlane } from '../../local/data-plane';
import { withLoopbackWebSocket } from '../../src/lib/loopback-websocket';

const USER_A = { email: 'alice@example.com', password: 'Alice-pass-123' };
const USER_B = { email: 'bob@example.com', password: 'Bob-pass-123' };
const SERVER_FIELDS = {
  status: 'RENDERING',
  progress: 0.5,
  renderId: 'r-1',
  costUsd: 0.01,
  errorMessage: 'nope',
  outputKey: 'outputs/x.mp4',
} as const;

type JobEvent = Schema['Job']['type'];

let dataDir: string;
let plane: DataPlane;

/** Configures the one Amplify singleton the way the studio does in local mode, plus an IAM credentials provider for the worker. */
function configureAmplify(current: DataPlane) {
  const outputs = toAmplifyOutputs(current) as unknown as Parameters<typeof Amplify.configure>[0];
  Amplify.configure(outputs);
  const config = Amplify.getConfig();
  Amplify.configure(
    {
      ...config,
      Auth: {
        Cognito: {
          userPoolId: current.cognito.userPoolId,
          userPoolClientId: current.cognito.userPoolClientId,
          userPoolEndpoint: current.cognito.endpoint,
          loginWith: { email: true },
        },
      },
    },
    {
      Auth: {
        tokenProvider: cognitoUserPoolsTokenProvider,
        credentialsProvider: {
          getCredentialsAndIdentityId: async () => ({ credentials: current.workerCredentials }),
          clearCredentialsAndIdentityId: () => {},
        },
      },
    },
  );
}

function errorText(result: {
  errors?: readonly { message: string; errorType?: string }[];
}): string {
  return (result.errors ?? [])
    .map((error) => `${error.errorType ?? ''} ${error.message}`)
    .join('; ');
}

async function readStreamRecords(current: DataPlane): Promise<_Record[]> {
  const streams = new DynamoDBStreamsClient({
    endpoint: current.dynamodb.endpoint,
    region: current.dynamodb.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { StreamDescription } = await streams.send(
    new DescribeStreamCommand({ StreamArn: current.dynamodb.jobTableStreamArn }),
  );
  const records: _Record[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({
        StreamArn: current.dynamodb.jobTableStreamArn,
        ShardId: shard.ShardId,
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records = [] } = await streams.send(new GetRecordsCommand({ ShardIterator }));
    records.push(...Records);
  }
  streams.destroy();
  return records;
}

/** Collects events of a subscription into an array, with a way to wait for the next one. */
function collect(observable: {
  subscribe(observer: { next(value: JobEvent): void; error(error: unknown): void }): {
    unsubscribe(): void;
  };
}) {
  const events: { job: JobEvent; at: number }[] = [];
  const errors: unknown[] = [];
  const subscription = observable.subscribe({
    next: (job) => events.push({ job, at: Date.now() }),
    error: (error) => errors.push(error),
  });
  return { events, errors, unsubscribe: () => subscription.unsubscribe() };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((done) => setTimeout(done, 20));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'data-plane-'));
  const started = Date.now();
  plane = await startDataPlane({ dataDir });
  // Reported, not asserted: start-up time depends on the machine's load (the 15 s budget is `npm start`'s).
  console.log(`data plane ready in ${Date.now() - started} ms`);
  await plane.cognito.createUser(USER_A.email, USER_A.password);
  await plane.cognito.createUser(USER_B.email, USER_B.password);
  (globalThis as { WebSocket?: unknown }).WebSocket = withLoopbackWebSocket(WebSocket);
  configureAmplify(plane);
  const { isSignedIn } = await signIn({
    username: USER_A.email,
    password: USER_A.password,
    options: { authFlowType: 'USER_PASSWORD_AUTH' },
  });
  expect(isSignedIn).toBe(true);
});

afterAll(async () => {
  await plane?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local data plane', () => {
  const clientA = () => generateClient<Schema>();
  const clientB = async () => {
    const { idToken } = await plane.cognito.signIn(USER_B.email, USER_B.password);
    // The Amplify client sends a `lambda`-mode token verbatim as the Authorization header: B's user-pool JWT.
    return generateClient<Schema>({ authMode: 'lambda', authToken: idToken });
  };
  const worker = () => generateClient<Schema>({ authMode: 'iam' });
  let jobId: string;

  it('lets a signed-in user create a job, which lands in DynamoDB with a stream INSERT', async () => {
    const { data, errors } = await clientA().models.Job.create({
      compositionId: 'title-card',
      inputProps: JSON.stringify({ title: 'Hi' }),
    });
    expect(errors).toBeUndefined();
    expect(data?.id).toBeTruthy();
    jobId = data!.id;

    const dynamo = new DynamoDBClient({
      endpoint: plane.dynamodb.endpoint,
      region: plane.dynamodb.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: plane.dynamodb.jobTableName, Key: { id: { S: jobId } } }),
    );
    dynamo.destroy();
    expect(Item?.compositionId?.S).toBe('title-card');
    expect(Item?.owner?.S).toMatch(/^[\w-]+::[\w@.-]+$/);

    const records = await readStreamRecords(plane);
    const insert = records.find(
      (record) => record.eventName === 'INSERT' && record.dynamodb?.Keys?.id?.S === jobId,
    );
    expect(insert?.dynamodb?.NewImage?.compositionId?.S).toBe('title-card');
  });

  it.each(Object.entries(SERVER_FIELDS))(
    'refuses %s when the owner sets it on create',
    async (field, value) => {
      const result = await clientA().models.Job.create({
        compositionId: 'title-card',
        inputProps: '{}',
        [field]: value,
      } as never);
      expect(result.data).toBeNull();
      expect(errorText(result)).toMatch(/Unauthorized/);
    },
  );

  it.each(Object.entries(SERVER_FIELDS))(
    'refuses %s when the owner sets it on update',
    async (field, value) => {
      const result = await clientA().models.Job.update({ id: jobId, [field]: value } as never);
      expect(errorText(result)).toMatch(/Unauthorized/);
    },
  );

  it('lets the owner set cancelRequested', async () => {
    const { data, errors } = await clientA().models.Job.update({
      id: jobId,
      cancelRequested: false,
    });
    expect(errors).toBeUndefined();
    expect(data?.cancelRequested).toBe(false);
  });

  it("keeps another user from getting, listing or updating the owner's job", async () => {
    const b = await clientB();
    const got = await b.models.Job.get({ id: jobId });
    expect(got.data).toBeNull();
    expect(errorText(got)).toMatch(/Unauthorized/);

    const listed = await b.models.Job.list();
    expect(listed.data.map((job) => job.id)).not.toContain(jobId);
    const listedByA = await clientA().models.Job.list();
    expect(listedByA.data.map((job) => job.id)).toContain(jobId);

    const updated = await b.models.Job.update({ id: jobId, cancelRequested: true });
    expect(errorText(updated)).toMatch(/Unauthorized/);
    const after = await clientA().models.Job.get({ id: jobId });
    expect(after.data?.cancelRequested).toBe(false);
  });

  it("delivers the worker's IAM update to the owner's subscription only", async () => {
    const a = collect(clientA().models.Job.onUpdate());
    const b = collect((await clientB()).models.Job.onUpdate());
    // Give both WebSocket subscriptions time to be acknowledged.
    await new Promise((done) => setTimeout(done, 1_500));

    const sentAt = Date.now();
    // Subscribers get only what the mutation selects (as in AppSync): owner, and the required fields they ask for.
    const { data, errors } = await worker().models.Job.update(
      { id: jobId, status: 'RENDERING', progress: 0.25 },
      { selectionSet: ['id', 'owner', 'compositionId', 'inputProps', 'status', 'progress'] },
    );
    expect(errors).toBeUndefined();
    expect(data?.status).toBe('RENDERING');

    await waitFor(() => a.events.length > 0, 10_000).catch((error: unknown) => {
      throw new Error(
        `${String(error)}; subscription errors: ${JSON.stringify([...a.errors, ...b.errors])}`,
      );
    });
    const latencyMs = a.events[0]!.at - sentAt;
    console.log(`subscription event arrived ${latencyMs} ms after the worker's mutation was sent`);
    expect(a.events[0]!.job).toMatchObject({ id: jobId, status: 'RENDERING', progress: 0.25 });
    await new Promise((done) => setTimeout(done, 1_000));
    expect(b.events).toEqual([]);

    // B's subscription is live: it receives an update of B's own job, which A does not.
    const own = await (
      await clientB()
    ).models.Job.create({ compositionId: 'title-card', inputProps: '{}' });
    expect(own.errors).toBeUndefined();
    await worker().models.Job.update(
      { id: own.data!.id, status: 'RENDERING' },
      { selectionSet: ['id', 'owner', 'compositionId', 'inputProps', 'status'] },
    );
    await waitFor(() => b.events.length > 0, 10_000);
    expect(b.events.map((event) => event.job.id)).toEqual([own.data!.id]);
    expect(a.events.map((event) => event.job.id)).toEqual([jobId]);
    expect([...a.errors, ...b.errors]).toEqual([]);
    a.unsubscribe();
    b.unsubscribe();
  });

  it('applies conditions on IAM updates, as the worker relies on (compare-and-set on status)', async () => {
    const conditionalUpdate = /* GraphQL */ `
      mutation Update($input: UpdateJobInput!, $condition: ModelJobConditionInput) {
        updateJob(input: $input, condition: $condition) {
          id
          owner
          status
          progress
        }
      }
    `;
    const stale = worker().graphql({
      query: conditionalUpdate,
      variables: { input: { id: jobId, progress: 0.9 }, condition: { status: { eq: 'QUEUED' } } },
    });
    await expect(stale).rejects.toMatchObject({
      errors: [expect.objectContaining({ errorType: 'DynamoDB:ConditionalCheckFailedException' })],
    });

    const current = (await worker().graphql({
      query: conditionalUpdate,
      variables: {
        input: { id: jobId, progress: 0.5 },
        condition: {
          and: [
            { status: { eq: 'RENDERING' } },
            { not: { or: [{ status: { eq: 'SUCCEEDED' } }, { status: { eq: 'FAILED' } }] } },
          ],
        },
      },
    })) as { data: { updateJob: { progress: number } } };
    expect(current.data.updateJob.progress).toBe(0.5);
  });

  it('refuses IAM requests signed with a key other than the worker’s', async () => {
    const response = await fetch(plane.graphql.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAFORGED/20260101/us-east-1/appsync/aws4_request, SignedHeaders=host, Signature=00',
      },
      body: JSON.stringify({ query: '{ listJobs { items { id } } }' }),
    });
    expect(response.status).toBe(401);
  });

  it('keeps jobs and users across a restart', async () => {
    const ports = {
      dynamodb: Number(new URL(plane.dynamodb.endpoint).port),
      cognito: Number(new URL(plane.cognito.endpoint).port),
      graphql: Number(new URL(plane.graphql.url).port),
    };
    await plane.stop();
    plane = await startDataPlane({ dataDir, ports });
    configureAmplify(plane);
    const { data } = await clientA().models.Job.get({ id: jobId });
    expect(data).toMatchObject({ id: jobId, compositionId: 'title-card', status: 'RENDERING' });
    await expect(plane.cognito.signIn(USER_B.email, USER_B.password)).resolves.toHaveProperty(
      'idToken',
    );
  });
});
