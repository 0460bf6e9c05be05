// The worker's process killed mid-render (SIGKILL of the whole process group: the worker, DynamoDB Local's Java and
// cognito-local die at once, no stop runs): after a restart on the same data the job completes with exactly one
// output, the same render re-run, and no job is left in RENDERING.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, startLocalStack, type LocalStack } from '../../local/stack';
import {
  countRenderStarts,
  isTerminalJob,
  openJobTable,
  outputFilesOf,
  waitUntil,
} from '../support/local-stack-session';

let dataDir: string;
let child: ChildProcess | undefined;
let stack: LocalStack | undefined;
const childLog: string[] = [];
const stackLog: string[] = [];

/** Starts the stack in a child process of its own process group; resolves with the job it created. */
async function startChildStack(): Promise<string> {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', join(PROJECT_ROOT, 'tests/support/run-local-stack.ts'), dataDir],
    { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr?.on('data', (chunk: Buffer) => childLog.push(chunk.toString()));
  let stdout = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return waitUntil(
    'the child stack creating a job',
    () => {
      if (child?.exitCode !== null) throw new Error(`the child exited: ${childLog.join('')}`);
      const line = stdout.split('\n').find((candidate) => candidate.startsWith('{'));
      return line ? (JSON.parse(line) as { jobId: string }).jobId : undefined;
    },
    60_000,
  );
}

/** Reads the job straight from the child's DynamoDB Local. */
async function readChildJob(jobId: string) {
  const outputs = JSON.parse(readFileSync(join(dataDir, 'amplify_outputs.json'), 'utf8')) as {
    custom: { local_endpoints: { dynamodb: string } };
  };
  const dynamo = new DynamoDBClient({
    endpoint: outputs.custom.local_endpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { Item } = await dynamo.send(
      new GetItemCommand({
        TableName: 'Job-local-NONE',
        Key: { id: { S: jobId } },
        ConsistentRead: true,
      }),
    );
    return { status: Item?.status?.S, renderId: Item?.renderId?.S, progress: Item?.progress?.N };
  } finally {
    dynamo.destroy();
  }
}

/** SIGKILL to the child's whole process group; resolves once the child is gone. */
async function killChildGroup(): Promise<void> {
  const exited = new Promise<void>((done) => child!.once('exit', () => done()));
  process.kill(-child!.pid!, 'SIGKILL');
  await exited;
}

afterAll(async () => {
  if (child?.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the worker process killed mid-render', () => {
  it('re-runs the render after a restart: SUCCEEDED, one output, no job left RENDERING', async () => {
    // Prepare: a job rendering (6 s) in a stack running in a child process.
    dataDir = mkdtempSync(join(tmpdir(), 'worker-kill-'));
    const jobId = await startChildStack();
    const rendering = await waitUntil(
      'the job rendering with progress',
      async () => {
        const job = await readChildJob(jobId);
        return job.status === 'RENDERING' && job.renderId && Number(job.progress) > 0
          ? job
          : undefined;
      },
      30_000,
      () => childLog.slice(-10).join(''),
    );

    // Act: kill everything at once, then start again on the same data.
    await killChildGroup();
    stack = await startLocalStack({
      dataDir,
      renderer: 'stub',
      stubRenderMs: [6000, 6000],
      renderCap: 2,
      log: (line) => stackLog.push(line),
    });
    const table = openJobTable(stack);
    const done = await waitUntil(
      'the job terminal after the restart',
      async () => {
        const job = await table.get(jobId);
        return isTerminalJob(job) ? job : undefined;
      },
      60_000,
      () => stackLog.slice(-10).join('\n'),
    );
    const stillRendering = (await table.scan()).filter((job) => job.status === 'RENDERING');
    table.close();

    // Assess
    expect(child?.signalCode).toBe('SIGKILL');
    expect(done.status).toBe('SUCCEEDED');
    expect(done.renderId).toBe(rendering.renderId);
    expect(countRenderStarts(dataDir).get(jobId)).toBe(1);
    expect(outputFilesOf(dataDir, done.owner)).toEqual([`${jobId}.mp4`]);
    expect(stillRendering).toEqual([]);
    expect(stackLog.some((line) => /re-enqueued 1 unfinished job/.test(line))).toBe(true);
    expect(stackLog.some((line) => line.includes(`re-running render ${rendering.renderId}`))).toBe(
      true,
    );
  });
});
