// The whole local flow against the real local services (no mocks): studio client → AppSync simulator →
// DynamoDB Local stream → fauxqs → the render worker → Remotion in Chromium → signed output URL.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { signIn } from 'aws-amplify/auth';
import { generateClient } from 'aws-amplify/data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Schema } from '../../amplify/data/resource';
import { PROJECT_ROOT, startLocalStack, type LocalStack } from '../../local/stack';
import { parseAmplifyOutputs } from '../../src/lib/amplify-outputs';
import { configureAmplify } from '../../src/lib/configure-amplify';

const USER_A = { email: 'ada@example.com', password: 'Ada-pass-1234' };
const USER_B = { email: 'bert@example.com', password: 'Bert-pass-1234' };
const FFPROBE = join(PROJECT_ROOT, 'node_modules/@remotion/compositor-linux-x64-gnu/ffprobe');

type Job = Schema['Job']['type'];

let dataDir: string;
let stack: LocalStack;
const stackLog: string[] = [];

/** Collects a subscription's events. */
function collect(observable: {
  subscribe(observer: { next(value: Job): void; error(error: unknown): void }): {
    unsubscribe(): void;
  };
}) {
  const events: Job[] = [];
  const errors: unknown[] = [];
  const subscription = observable.subscribe({
    next: (job) => events.push(job),
    error: (error) => errors.push(error),
  });
  return { events, errors, unsubscribe: () => subscription.unsubscribe() };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(
        `${what} did not happen within ${timeoutMs} ms; stack log tail:\n${stackLog.slice(-15).join('\n')}`,
      );
    await new Promise((done) => setTimeout(done, 50));
  }
}

const errorText = (result: { errors?: readonly { message: string; errorType?: string }[] }) =>
  (result.errors ?? []).map((error) => `${error.errorType ?? ''} ${error.message}`).join('; ');

const clientA = () => generateClient<Schema>();
const clientB = async () => {
  const { idToken } = await stack.dataPlane.cognito.signIn(USER_B.email, USER_B.password);
  // Sends B's user-pool JWT verbatim as the Authorization header, beside A's signed-in session.
  return generateClient<Schema>({ authMode: 'lambda', authToken: idToken });
};
const outputDirOf = (owner: string) =>
  join(dataDir, 'outputs', 'renders', owner.split('::')[0] ?? owner);

/** Polls an async condition. */
async function waitForAsync(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(
        `${what} did not happen within ${timeoutMs} ms; stack log tail:\n${stackLog.slice(-15).join('\n')}`,
      );
    await new Promise((done) => setTimeout(done, 200));
  }
}

interface StoredJob {
  id: string;
  renderId?: string;
  outputKey?: string;
  posterKey?: string;
  expiredAt?: string;
}

/** Every Job item in the table, whoever owns it (DynamoDB Local, not through any user's eyes). */
async function storedJobs(): Promise<StoredJob[]> {
  const dynamo = new DynamoDBClient({
    endpoint: stack.dataPlane.dynamodb.endpoint,
    region: stack.dataPlane.dynamodb.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { Items = [] } = await dynamo.send(
      new ScanCommand({ TableName: stack.dataPlane.dynamodb.jobTableName, ConsistentRead: true }),
    );
    return Items.map((item) => ({
      id: item.id!.S!,
      ...(item.renderId?.S ? { renderId: item.renderId.S } : {}),
      ...(item.outputKey?.S ? { outputKey: item.outputKey.S } : {}),
      ...(item.posterKey?.S ? { posterKey: item.posterKey.S } : {}),
      ...(item.expiredAt?.S ? { expiredAt: item.expiredAt.S } : {}),
    }));
  } finally {
    dynamo.destroy();
  }
}
const storedJobIds = async () => (await storedJobs()).map((stored) => stored.id);

/**
 * Files of the local buckets (outputs, and the renderer's render records) that no job points to: a job that has not
 * expired points to its video, its poster and its render's record.
 */
function orphanObjects(jobs: StoredJob[]): string[] {
  const referenced = new Set<string>();
  for (const stored of jobs) {
    if (stored.expiredAt) continue;
    for (const key of [stored.outputKey, stored.posterKey])
      if (key) referenced.add(join('outputs', key));
    if (stored.renderId) referenced.add(join('renders', `${stored.renderId}.json`));
  }
  const filesUnder = (folder: string): string[] =>
    existsSync(join(dataDir, folder))
      ? readdirSync(join(dataDir, folder), { recursive: true, withFileTypes: true })
          .filter((entry) => entry.isFile())
          .map((entry) => relative(dataDir, join(entry.parentPath, entry.name)))
      : [];
  return [...filesUnder('outputs'), ...filesUnder('renders')].filter(
    (file) => !referenced.has(file),
  );
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-flow-'));
  const startedAt = Date.now();
  stack = await startLocalStack({
    dataDir,
    renderer: 'remotion',
    renderCap: 2,
    log: (line) => stackLog.push(line),
  });
  console.log(`local stack ready in ${Date.now() - startedAt} ms`);
  await stack.dataPlane.cognito.createUser(USER_A.email, USER_A.password);
  await stack.dataPlane.cognito.createUser(USER_B.email, USER_B.password);
  // Node 20 has no global WebSocket; the studio's own configuration wraps it for ws:// loopback.
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  const outputs = parseAmplifyOutputs(stack.outputs);
  if (!outputs.ok) throw new Error(outputs.message);
  expect(configureAmplify(outputs.outputs)).toEqual({ authFlow: 'USER_PASSWORD_AUTH' });
  const { isSignedIn } = await signIn({
    username: USER_A.email,
    password: USER_A.password,
    options: { authFlowType: 'USER_PASSWORD_AUTH' },
  });
  expect(isSignedIn).toBe(true);
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('local mode, end to end', () => {
  let job: Job;
  let videoUrl: string;
  let bSubscription: ReturnType<typeof collect>;
  /** The job the cancel test ended CANCELLED (its render's record stays until it is deleted). */
  let cancelledId: string;

  it('writes amplify_outputs.json with auth, data, storage and the local endpoints', () => {
    expect(stack.outputs).toMatchObject({
      auth: { user_pool_id: expect.any(String), user_pool_client_id: expect.any(String) },
      data: { url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/) },
      storage: { bucket_name: 'local-outputs' },
      custom: {
        local_endpoints: {
          cognito: expect.stringMatching(/^http:/),
          dynamodb: expect.stringMatching(/^http:/),
          sqs: expect.stringMatching(/^http:/),
        },
      },
    });
    expect(existsSync(join(dataDir, 'amplify_outputs.json'))).toBe(true);
  });

  it('renders a title-card job: RENDERING with rising progress, then SUCCEEDED and a 1280×720, 5 s MP4', async () => {
    const updates = collect(clientA().models.Job.onUpdate());
    bSubscription = collect((await clientB()).models.Job.onUpdate());
    // Let both WebSocket subscriptions be acknowledged before the job exists.
    await new Promise((done) => setTimeout(done, 1500));

    const created = await clientA().models.Job.create({
      compositionId: 'title-card',
      inputProps: JSON.stringify({ title: 'Local flow', subtitle: 'end to end' }),
    });
    expect(created.errors).toBeUndefined();
    job = created.data!;
    const mine = () => updates.events.filter((event) => event.id === job.id);
    await waitFor(
      () => mine().some((event) => event.status === 'SUCCEEDED' || event.status === 'FAILED'),
      150_000,
      'a terminal status',
    );
    updates.unsubscribe();
    const events = mine();
    const last = events.at(-1)!;
    expect(last).toMatchObject({ status: 'SUCCEEDED', progress: 1, costUsd: 0 });
    const progress = events
      .filter((event) => event.status === 'RENDERING')
      .map((event) => event.progress ?? 0);
    expect(new Set(progress).size).toBeGreaterThanOrEqual(3);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(updates.errors).toEqual([]);

    const url = await clientA().queries.getJobVideoUrl({ jobId: job.id });
    expect(url.errors).toBeUndefined();
    videoUrl = url.data!.url;
    expect(videoUrl.startsWith(stack.outputServerUrl)).toBe(true);

    const response = await fetch(videoUrl);
    expect(response.status).toBe(200);
    const file = join(dataDir, 'downloaded.mp4');
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const probe = JSON.parse(
      execFileSync(
        FFPROBE,
        ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file],
        { env: { ...process.env, LD_LIBRARY_PATH: dirname(FFPROBE) } },
      ).toString(),
    ) as {
      streams: { codec_type: string; width?: number; height?: number }[];
      format: { duration: string };
    };
    const video = probe.streams.find((stream) => stream.codec_type === 'video');
    expect(video).toMatchObject({ width: 1280, height: 720 });
    expect(Number(probe.format.duration)).toBeCloseTo(5, 1);
    expect(readdirSync(outputDirOf(last.owner!)).sort()).toEqual([
      `${job.id}.mp4`,
      `${job.id}.poster.jpeg`,
    ]);
  }, 200_000);

  it("keeps a second user from reading, listing, subscribing to, cancelling or fetching the owner's job", async () => {
    const b = await clientB();
    const got = await b.models.Job.get({ id: job.id });
    expect(got.data).toBeNull();
    expect(errorText(got)).toMatch(/Unauthorized/);

    const listed = await b.models.Job.list();
    expect(listed.data.map((item) => item.id)).not.toContain(job.id);
    expect((await clientA().models.Job.list()).data.map((item) => item.id)).toContain(job.id);

    bSubscription.unsubscribe();
    expect(bSubscription.events.map((event) => event.id)).not.toContain(job.id);

    const cancelled = await b.models.Job.update({ id: job.id, cancelRequested: true });
    expect(errorText(cancelled)).toMatch(/Unauthorized/);
    expect((await clientA().models.Job.get({ id: job.id })).data?.cancelRequested).not.toBe(true);

    const url = await b.queries.getJobVideoUrl({ jobId: job.id });
    expect(url.data).toBeNull();
    expect(errorText(url)).toMatch(/no job with id/);

    const tampered = new URL(videoUrl);
    tampered.searchParams.set('expires', String(Number(tampered.searchParams.get('expires')) + 60));
    expect((await fetch(tampered)).status).toBe(403);
    const forged = new URL(videoUrl);
    forged.searchParams.set('signature', 'A'.repeat(43));
    expect((await fetch(forged)).status).toBe(403);
  });

  it('cancels a job while it renders: CANCELLED, and no output file', async () => {
    const updates = collect(clientA().models.Job.onUpdate());
    await new Promise((done) => setTimeout(done, 1000));
    const created = await clientA().models.Job.create({
      compositionId: 'title-card',
      inputProps: JSON.stringify({ title: 'Cancel me' }),
    });
    expect(created.errors).toBeUndefined();
    const id = created.data!.id;
    const mine = () => updates.events.filter((event) => event.id === id);
    await waitFor(
      () => mine().some((event) => event.status === 'RENDERING' && (event.progress ?? 0) > 0),
      120_000,
      'rendering progress',
    );
    const requested = await clientA().models.Job.update({ id, cancelRequested: true });
    expect(requested.errors).toBeUndefined();
    await waitFor(
      () =>
        mine().some((event) => ['CANCELLED', 'SUCCEEDED', 'FAILED'].includes(event.status ?? '')),
      60_000,
      'a terminal status after cancel',
    );
    updates.unsubscribe();
    const last = mine().at(-1)!;
    expect(last.status).toBe('CANCELLED');
    cancelledId = id;
    // Only the first job's video remains in the owner's folder: no partial or complete file of this one.
    expect(readdirSync(outputDirOf(last.owner!)).sort()).toEqual([
      `${job.id}.mp4`,
      `${job.id}.poster.jpeg`,
    ]);
    const url = await clientA().queries.getJobVideoUrl({ jobId: id });
    expect(errorText(url)).toMatch(/no video yet/);
  }, 200_000);

  it('deletes a job while it renders (cancelled first) and an ended one: records, files and render state gone', async () => {
    const created = await clientA().models.Job.create({
      compositionId: 'title-card',
      inputProps: JSON.stringify({ title: 'Delete me mid-render' }),
    });
    expect(created.errors).toBeUndefined();
    const id = created.data!.id;
    let rendering: Job | null | undefined;
    await waitForAsync(
      async () => {
        rendering = (await clientA().models.Job.get({ id })).data;
        return rendering?.status === 'RENDERING' && Boolean(rendering.renderId);
      },
      120_000,
      'the job rendering',
    );

    const removed = await clientA().mutations.removeJob({ jobId: id });
    const removedEnded = await clientA().mutations.removeJob({ jobId: cancelledId });

    expect(errorText(removed)).toBe('');
    expect(removed.data).toEqual({ jobId: id, cancelledFirst: true });
    expect(removedEnded.data).toEqual({ jobId: cancelledId, cancelledFirst: false });
    for (const gone of [id, cancelledId]) {
      expect((await clientA().models.Job.get({ id: gone })).data).toBeNull();
      expect(await storedJobIds()).not.toContain(gone);
    }
    // Nothing of either is left, and a second delete is told the job is gone.
    expect(orphanObjects(await storedJobs())).toEqual([]);
    expect(existsSync(join(dataDir, 'renders', `${rendering!.renderId}.json`))).toBe(false);
    // The check sees the files that remain (the first job's video, poster and render record): it can fail.
    const first = (await clientA().models.Job.get({ id: job.id })).data!;
    expect(orphanObjects([]).sort()).toEqual(
      [
        join('outputs', first.outputKey ?? `(no outputKey on ${job.id})`),
        join('outputs', first.posterKey ?? `(no posterKey on ${job.id})`),
        join('renders', `${first.renderId}.json`),
      ].sort(),
    );
    expect(errorText(await clientA().mutations.removeJob({ jobId: id }))).toMatch(
      /You have no job with id/,
    );
  }, 200_000);

  it("serves the owner the job's poster (a 1280×720 JPEG) and nobody else; the retention sweep leaves no object behind", async () => {
    const url = await clientA().queries.getJobVideoUrl({ jobId: job.id });
    const posterUrl = url.data?.posterUrl;
    expect(posterUrl).toMatch(/\.poster\.jpeg\?/);
    const response = await fetch(posterUrl!);
    expect(response.status).toBe(200);
    const file = join(dataDir, 'poster.jpeg');
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    const probe = JSON.parse(
      execFileSync(FFPROBE, ['-v', 'error', '-print_format', 'json', '-show_streams', file], {
        env: { ...process.env, LD_LIBRARY_PATH: dirname(FFPROBE) },
      }).toString(),
    ) as { streams: { codec_name: string; width: number; height: number }[] };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'mjpeg', width: 1280, height: 720 });
    // Signed like the video: a forged signature is refused; another user gets no URL at all (test above).
    const forged = new URL(posterUrl!);
    forged.searchParams.set('signature', 'A'.repeat(43));
    expect((await fetch(forged)).status).toBe(403);

    // 31 days on, the sweep (the cloud's lifecycle rule, locally) deletes the video and poster and says so.
    expect(await stack.sweepExpiredOutputs(Date.now() + 31 * 24 * 3600 * 1000)).toEqual([job.id]);
    const expired = (await clientA().models.Job.get({ id: job.id })).data!;
    expect(expired.expiredAt).toBeTruthy();
    expect(errorText(await clientA().queries.getJobVideoUrl({ jobId: job.id }))).toMatch(
      /expired on .* Render it again/,
    );
    // No object is left that no job points to: the owner's folder (the cancelled job never kept one) is empty.
    expect(readdirSync(outputDirOf(job.owner!))).toEqual([]);
    expect(orphanObjects(await storedJobs())).toEqual([]);
    // The expired job can still be deleted: its record goes, and still nothing is left behind.
    expect((await clientA().mutations.removeJob({ jobId: job.id })).data?.jobId).toBe(job.id);
    expect(await storedJobIds()).toEqual([]);
    expect(orphanObjects([])).toEqual([]);
  }, 60_000);
});
