// Small factories for integration tests against a running local stack: users, jobs created the way the
// studio creates them, the Job table read directly (whatever any client may see), and subscriptions.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { CONNECTION_STATE_CHANGE } from 'aws-amplify/api';
import { generateClient } from 'aws-amplify/data';
import { Hub } from 'aws-amplify/utils';
import WebSocket from 'ws';
import type { Schema } from '../../amplify/data/resource';
import type { LocalStack } from '../../local/stack';
import { parseAmplifyOutputs } from '../../src/lib/amplify-outputs';
import { configureAmplify } from '../../src/lib/configure-amplify';

/** A Job row as DynamoDB Local holds it. */
export interface StoredJob {
  id: string;
  owner: string;
  status?: string;
  title?: string;
  renderId?: string;
  progress?: number;
  attempts?: number;
  errorMessage?: string;
  outputKey?: string;
  startedAt?: string;
  finishedAt?: string;
}

/** A signed-in user of the local user pool. */
export interface LocalUser {
  email: string;
  idToken: string;
}

export const TERMINAL_STATUSES = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

/** True once the job reached SUCCEEDED, FAILED or CANCELLED. */
export const isTerminalJob = (job: StoredJob | undefined) =>
  TERMINAL_STATUSES.includes(job?.status ?? '');

/** Creates a confirmed user and signs it in. */
export async function createLocalUser(stack: LocalStack, email: string): Promise<LocalUser> {
  const password = 'Fault-pass-1234';
  await stack.dataPlane.cognito.createUser(email, password);
  const { idToken } = await stack.dataPlane.cognito.signIn(email, password);
  return { email, idToken };
}

/** `createJob` over HTTP with the user's JWT, as the studio's `Job.create` sends it; resolves with the id. */
export async function createJobAs(
  stack: LocalStack,
  user: LocalUser,
  input: { title: string; compositionId?: string },
): Promise<string> {
  const response = await fetch(stack.outputs.data.url, {
    method: 'POST',
    headers: { authorization: user.idToken, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation Create($input: CreateJobInput!) { createJob(input: $input) { id } }`,
      variables: {
        input: {
          compositionId: input.compositionId ?? 'title-card',
          title: input.title,
          inputProps: JSON.stringify({ title: input.title }),
        },
      },
    }),
  });
  const body = (await response.json()) as { data?: { createJob?: { id: string } | null } };
  const id = body.data?.createJob?.id;
  if (!id)
    throw new Error(`createJob for ${user.email}: expected an id, but got ${JSON.stringify(body)}`);
  return id;
}

/** Reads and scans the Job table in DynamoDB Local (consistent reads), independent of AppSync. */
export function openJobTable(stack: LocalStack) {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dataPlane.dynamodb.endpoint,
      region: stack.dataPlane.dynamodb.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const TableName = stack.dataPlane.dynamodb.jobTableName;
  return {
    async get(id: string): Promise<StoredJob | undefined> {
      const { Item } = await client.send(
        new GetCommand({ TableName, Key: { id }, ConsistentRead: true }),
      );
      return Item as StoredJob | undefined;
    },
    async scan(): Promise<StoredJob[]> {
      const items: StoredJob[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({ TableName, ConsistentRead: true, ExclusiveStartKey }),
        );
        items.push(...((page.Items ?? []) as StoredJob[]));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return items;
    },
    close: () => client.destroy(),
  };
}

/** Polls `check` until it returns a value other than undefined; throws with `describe()` at the deadline. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  describe: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms. ${describe()}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Renders started per job id, from the local renderer's own records (one file per started render). */
export function countRenderStarts(dataDir: string): Map<string, number> {
  const dir = join(dataDir, 'renders');
  const starts = new Map<string, number>();
  if (!existsSync(dir)) return starts;
  for (const name of readdirSync(dir).filter((file) => file.endsWith('.json'))) {
    const record = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
      request?: { jobId?: string };
    };
    const jobId = record.request?.jobId;
    if (jobId) starts.set(jobId, (starts.get(jobId) ?? 0) + 1);
  }
  return starts;
}

/** The video files in the owner's output folder (finished outputs and any partial file). */
export function outputFilesOf(dataDir: string, owner: string): string[] {
  const folder = join(dataDir, 'outputs', 'renders', owner.split('::')[0] ?? owner);
  return existsSync(folder) ? readdirSync(folder).sort() : [];
}

type Job = Schema['Job']['type'];

/** One user's `Job.onUpdate` subscription, with the last state each job reached by it. */
export interface JobSubscription {
  latest: Map<string, Job>;
  errors: unknown[];
  unsubscribe(): void;
}

/** Configures the Amplify client for this stack exactly as the studio does (call once per test file). */
export function configureStudioClient(stack: LocalStack): void {
  // Node 20 has no global WebSocket; the studio's configuration wraps whatever is there for ws:// loopback.
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
  const outputs = parseAmplifyOutputs(stack.outputs);
  if (!outputs.ok) throw new Error(outputs.message);
  configureAmplify(outputs.outputs);
  Hub.listen('api', ({ payload }) => {
    const data = payload.data as { connectionState?: string } | undefined;
    if (payload.event === CONNECTION_STATE_CHANGE)
      connected = data?.connectionState === 'Connected';
  });
}

let connected = false;

/**
 * Subscribes to `Job.onUpdate` as `user`, sending the user's JWT verbatim (many users share one process,
 * where the Amplify sign-in session is one). Resolves once the subscription is acknowledged.
 */
export async function subscribeAs(user: LocalUser): Promise<JobSubscription> {
  const client = generateClient<Schema>({ authMode: 'lambda', authToken: user.idToken });
  const latest = new Map<string, Job>();
  const errors: unknown[] = [];
  const subscription = client.models.Job.onUpdate().subscribe({
    next: (job) => latest.set(job.id, job),
    error: (error: unknown) => errors.push(error),
  });
  // The Amplify client reports no per-subscription acknowledgement; the socket's state is the closest sign.
  await waitUntil('the realtime socket connecting', () => (connected ? true : undefined), 20_000);
  return { latest, errors, unsubscribe: () => subscription.unsubscribe() };
}
