// A job rendering when local mode stops is run again after the next start and ends in exactly one output.
// The stub renderer keeps this fast; the real renderer goes through the same local renderer records.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack';

const USER = { email: 'rita@example.com', password: 'Rita-pass-1234' };

let dataDir: string;
let stack: LocalStack | undefined;
const stackLog: string[] = [];

const start = () =>
  startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [8000, 8000],
    renderCap: 2,
    log: (line) => stackLog.push(line),
  });

/** Reads the job as stored (DynamoDB Local), independent of any client's authorization. */
async function readJob(current: LocalStack, id: string) {
  const dynamo = new DynamoDBClient({
    endpoint: current.dataPlane.dynamodb.endpoint,
    region: current.dataPlane.dynamodb.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const { Item } = await dynamo.send(
    new GetItemCommand({
      TableName: current.dataPlane.dynamodb.jobTableName,
      Key: { id: { S: id } },
      ConsistentRead: true,
    }),
  );
  dynamo.destroy();
  return {
    status: Item?.status?.S,
    renderId: Item?.renderId?.S,
    owner: Item?.owner?.S ?? '',
    outputKey: Item?.outputKey?.S,
  };
}

async function waitForJob(
  current: LocalStack,
  id: string,
  accept: (job: Awaited<ReturnType<typeof readJob>>) => boolean,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await readJob(current, id);
    if (accept(job)) return job;
    if (Date.now() > deadline)
      throw new Error(
        `job ${id} is ${JSON.stringify(job)} after ${timeoutMs} ms; log tail:\n${stackLog.slice(-10).join('\n')}`,
      );
    await new Promise((done) => setTimeout(done, 100));
  }
}

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local mode across a restart', () => {
  it('re-runs a render interrupted by the stop and ends SUCCEEDED with exactly one output', async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'local-restart-'));
    stack = await start();
    await stack.dataPlane.cognito.createUser(USER.email, USER.password);
    const { idToken } = await stack.dataPlane.cognito.signIn(USER.email, USER.password);
    const response = await fetch(stack.outputs.data.url, {
      method: 'POST',
      headers: { authorization: idToken, 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `mutation Create($input: CreateJobInput!) { createJob(input: $input) { id } }`,
        variables: { input: { compositionId: 'title-card', inputProps: '{"title":"Restart"}' } },
      }),
    });
    const created = (await response.json()) as { data?: { createJob?: { id: string } } };
    const id = created.data?.createJob?.id;
    expect(id, JSON.stringify(created)).toBeTruthy();

    const rendering = await waitForJob(
      stack,
      id!,
      (job) => job.status === 'RENDERING' && Boolean(job.renderId),
      60_000,
    );
    await stack.stop();
    stack = undefined;

    stack = await start();
    const done = await waitForJob(
      stack,
      id!,
      (job) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.status ?? ''),
      60_000,
    );
    expect(done.status).toBe('SUCCEEDED');
    // The same render, run again: no second render was started for the job.
    expect(done.renderId).toBe(rendering.renderId);
    const folder = join(dataDir, 'outputs', 'renders', done.owner.split('::')[0]!);
    expect(readdirSync(folder)).toEqual([`${id}.mp4`]);
    expect(done.outputKey).toBe(`renders/${done.owner.split('::')[0]}/${id}.mp4`);
    const logged = (pattern: RegExp) => stackLog.some((line) => pattern.test(line));
    expect(logged(/interrupted by the stop/)).toBe(true);
    expect(logged(/re-enqueued 1 unfinished job/)).toBe(true);
    expect(logged(new RegExp(`re-running render ${rendering.renderId}`))).toBe(true);
  }, 240_000);
});
