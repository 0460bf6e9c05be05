// Issue 18 against the real local services (DynamoDB Local, the AppSync simulator, cognito-local, fauxqs; stub
// renderer): a job whose INSERT never reached the queue (the pipe lost it) is rescued by the reconciler and renders
// exactly once; an unheard cancel is delivered; the per-user limit holds under racing starts through the real
// RenderSlot resolvers; and no signed-in user can touch a render slot or the queue-check stamp.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Renderer } from '../../amplify/functions/render-worker/ports';
import { startLocalStack, type LocalStack } from '../../local/stack';
import {
  countRenderStarts,
  createJobAs,
  createLocalUser,
  openJobTable,
  waitUntil,
  type LocalUser,
} from '../support/local-stack-session';

const BOUND_MS = 1000;
const LIMIT = 3; // the pipeline's default MAX_ACTIVE_JOBS_PER_USER

let dataDir: string;
let stack: LocalStack;
let table: ReturnType<typeof openJobTable>;
let slotTable: { scan(): Promise<Record<string, unknown>[]>; close(): void };
/** Writes a Job item straight into the table, as the batches function writes a batch row. */
let putJobItem: (item: Record<string, unknown>) => Promise<void>;
const stackLog: string[] = [];
/** While set, the stream reader's sends to the render queue are lost (a replaced pipe, an expired record). */
const pipe = { losing: false, lost: [] as string[] };
/** While set, every render reports itself running, half done. */
const hold = { active: false };

function wrapRenderer(renderer: Renderer): Renderer {
  return {
    start: (request) => renderer.start(request),
    getProgress: async (renderId) =>
      hold.active
        ? { state: 'running', progress: 0.5, renderedFrames: 75, totalFrames: 150, costUsd: 0 }
        : renderer.getProgress(renderId),
    cancel: (renderId) => renderer.cancel(renderId),
  };
}

const logTail = () => `stack log tail:\n${stackLog.slice(-20).join('\n')}`;
const pastTheBound = () => new Promise((done) => setTimeout(done, BOUND_MS + 200));

/** Creates a job whose INSERT the pipe loses: it exists, QUEUED, and no message will ever name it. */
async function createJobWithLostMessage(user: LocalUser, title: string): Promise<string> {
  pipe.losing = true;
  try {
    const id = await createJobAs(stack, user, { title });
    await waitUntil(
      'the stream reader reading the INSERT',
      () => (pipe.lost.includes(id) ? true : stack.streamCaughtUp().then(() => undefined)),
      10_000,
      logTail,
    );
    return id;
  } finally {
    pipe.losing = false;
  }
}

async function postGraphql(idToken: string, query: string, variables: Record<string, unknown>) {
  const response = await fetch(stack.outputs.data.url, {
    method: 'POST',
    headers: { authorization: idToken, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { message: string; errorType?: string }[];
  };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'job-reconciler-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [300, 300],
    // A delivery holds its worker while its render runs: the racing starts below need one worker each.
    renderCap: LIMIT + 2,
    log: (line) => stackLog.push(line),
    faults: {
      wrapRenderer,
      wrapStreamSend: (send) => async (jobId) => {
        if (!pipe.losing) return send(jobId);
        pipe.lost.push(jobId);
      },
    },
    // Only on demand here, with short bounds, so the test decides when it runs.
    reconciler: { everyMs: 0, settings: { queuedUnseenMs: BOUND_MS, cancelUnheardMs: BOUND_MS } },
  });
  table = openJobTable(stack);
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.dataPlane.dynamodb.endpoint,
      region: stack.dataPlane.dynamodb.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  putJobItem = async (Item) => {
    await client.send(new PutCommand({ TableName: stack.dataPlane.dynamodb.jobTableName, Item }));
  };
  const TableName = stack.dataPlane.dynamodb.jobTableName.replace(/^Job-/, 'RenderSlot-');
  slotTable = {
    scan: async () =>
      (await client.send(new ScanCommand({ TableName, ConsistentRead: true }))).Items ?? [],
    close: () => client.destroy(),
  };
}, 180_000);

afterAll(async () => {
  table?.close();
  slotTable?.close();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('job reconciler (local stack)', () => {
  it('rescues a job whose queue message was lost: it renders once, and its slot is released', async () => {
    const user = await createLocalUser(stack, 'lost-message@reconciler.local');
    const id = await createJobWithLostMessage(user, 'Lost in the pipe');
    expect((await table.get(id))?.status).toBeUndefined();
    await pastTheBound();

    const summary = await stack.reconcileNow();
    console.log(`reconciler summary (lost message): ${JSON.stringify(summary)}`);

    expect(summary.requeued).toEqual({ queued: [id], rendering: [], cancelling: [] });
    expect(summary.acted).toBe(1);
    const done = await waitUntil(
      'the rescued job to succeed',
      async () => {
        const job = await table.get(id);
        return job?.status === 'SUCCEEDED' ? job : undefined;
      },
      60_000,
      logTail,
    );
    expect(done.outputKey).toMatch(new RegExp(`${id}\\.mp4$`));
    expect(countRenderStarts(dataDir).get(id)).toBe(1);
    // The release follows the terminal write.
    await waitUntil(
      'the slot to be released',
      async () => ((await slotTable.scan()).length === 0 ? true : undefined),
      10_000,
      logTail,
    );
    const after = await stack.reconcileNow();
    console.log(`reconciler summary (after): ${JSON.stringify(after)}`);
    expect(after.acted).toBe(0);
  });

  it('delivers a cancel that reached no worker: the job ends CANCELLED without rendering', async () => {
    const user = await createLocalUser(stack, 'unheard-cancel@reconciler.local');
    const id = await createJobWithLostMessage(user, 'Cancelled in silence');
    const cancel = await postGraphql(
      user.idToken,
      'mutation Cancel($input: UpdateJobInput!) { updateJob(input: $input) { id owner } }',
      { input: { id, cancelRequested: true } },
    );
    expect(cancel.errors ?? []).toEqual([]);
    await pastTheBound();

    const summary = await stack.reconcileNow();
    console.log(`reconciler summary (unheard cancel): ${JSON.stringify(summary)}`);

    expect(summary.requeued.cancelling).toEqual([id]);
    await waitUntil(
      'the job to be cancelled',
      async () => ((await table.get(id))?.status === 'CANCELLED' ? true : undefined),
      60_000,
      logTail,
    );
    expect(countRenderStarts(dataDir).get(id)).toBeUndefined();
  });

  it(`admits ${LIMIT} of ${LIMIT + 2} racing starts of one user, keeps the rest waiting in the queue, then renders them`, async () => {
    const user = await createLocalUser(stack, 'racing@reconciler.local');
    hold.active = true;
    try {
      const ids = await Promise.all(
        Array.from({ length: LIMIT + 2 }, (_, n) =>
          createJobAs(stack, user, { title: `Race ${n}` }),
        ),
      );
      // Renders hold (running, half done): no slot frees while the other two are delivered and told to wait.
      await waitUntil(
        `${LIMIT} of the racing jobs to start`,
        async () => {
          const started = [...countRenderStarts(dataDir).keys()].filter((id) => ids.includes(id));
          return started.length === LIMIT ? true : undefined;
        },
        60_000,
        logTail,
      );
      const jobs = await Promise.all(ids.map((id) => table.get(id)));
      // Nobody fails on the limit any more: the two beyond it are still queued, not FAILED.
      expect(jobs.filter((job) => job?.status === 'FAILED')).toEqual([]);
      const slots = await slotTable.scan();
      expect(slots).toHaveLength(LIMIT);
      expect(new Set(slots.map((slot) => slot.jobId)).size).toBe(LIMIT);

      hold.active = false;
      await waitUntil(
        'every racing job to succeed',
        async () => {
          const jobs = await Promise.all(ids.map((id) => table.get(id)));
          return jobs.every((job) => job?.status === 'SUCCEEDED') ? true : undefined;
        },
        90_000,
        logTail,
      );
      const starts = countRenderStarts(dataDir);
      expect(ids.map((id) => starts.get(id) ?? 0)).toEqual(ids.map(() => 1));
      await waitUntil(
        'every slot to be released',
        async () => ((await slotTable.scan()).length === 0 ? true : undefined),
        10_000,
        logTail,
      );
    } finally {
      hold.active = false;
    }
  });

  it('wakes batch rows nothing is left to wake (a lost hand-off): the first ones start, their ends wake the rest', async () => {
    const user = await createLocalUser(stack, 'waiting-rows@reconciler.local');
    // The owner exactly as Amplify stores it, from a job of the user's.
    const single = await createJobAs(stack, user, { title: 'Owner probe' });
    const owner = await waitUntil(
      'the probe job stored',
      async () => (await table.get(single))?.owner,
      10_000,
      logTail,
    );
    // Ended and its slot freed first: on a loaded machine a probe still rendering holds one of the owner's renders,
    // and the reconciler rightly wakes one row fewer.
    await waitUntil(
      'the probe job to end and free its slot',
      async () =>
        (await table.get(single))?.status === 'SUCCEEDED' &&
        !(await slotTable.scan()).some((slot) => slot.jobId === single)
          ? true
          : undefined,
      30_000,
      logTail,
    );
    const longAgo = new Date(Date.now() - 60 * 60_000).toISOString();
    const ids = Array.from({ length: LIMIT + 2 }, (_, row) => `lost-wakes-row-0000${row}`);
    for (const [rowIndex, id] of ids.entries())
      await putJobItem({
        __typename: 'Job',
        id,
        owner,
        rowOwner: owner,
        batchId: 'lost-wakes',
        rowIndex,
        compositionId: 'title-card',
        inputProps: { title: `Waiting row ${rowIndex + 1}` },
        title: `Waiting row ${rowIndex + 1}`,
        status: 'QUEUED',
        cancelRequested: false,
        createdAt: longAgo,
        updatedAt: longAgo,
      });
    await stack.streamCaughtUp();
    await pastTheBound();
    // The pipe passes no batch row, so nothing has started them.
    expect(ids.map((id) => countRenderStarts(dataDir).get(id) ?? 0)).toEqual(ids.map(() => 0));

    const summary = await stack.reconcileNow();

    // Woken, not re-enqueued as lost: as many as the owner may render at once, oldest first.
    expect(summary.wokenRows).toEqual(ids.slice(0, LIMIT));
    expect(summary.requeued.queued.filter((id) => ids.includes(id))).toEqual([]);
    await waitUntil(
      'every waiting row to succeed',
      async () =>
        (await Promise.all(ids.map((id) => table.get(id)))).every(
          (job) => job?.status === 'SUCCEEDED',
        )
          ? true
          : undefined,
      60_000,
      logTail,
    );
    const starts = countRenderStarts(dataDir);
    expect(ids.map((id) => starts.get(id) ?? 0)).toEqual(ids.map(() => 1));
  });

  it('lets no signed-in user list, take or free a render slot', async () => {
    const user = await createLocalUser(stack, 'slot-thief@reconciler.local');
    const before = await slotTable.scan();
    const slot = { jobOwner: 'someone', slot: 0 };

    const list = await postGraphql(
      user.idToken,
      'query { listRenderSlots { items { jobOwner slot jobId } } }',
      {},
    );
    const create = await postGraphql(
      user.idToken,
      'mutation C($input: CreateRenderSlotInput!) { createRenderSlot(input: $input) { jobId } }',
      { input: { ...slot, jobId: 'forged' } },
    );
    const remove = await postGraphql(
      user.idToken,
      'mutation D($input: DeleteRenderSlotInput!) { deleteRenderSlot(input: $input) { jobId } }',
      { input: slot },
    );

    for (const answer of [list, create, remove])
      expect(answer.errors?.map((error) => error.errorType ?? error.message).join()).toMatch(
        /Unauthorized/,
      );
    expect(await slotTable.scan()).toEqual(before);
  });

  it('refuses queueCheckedAt from the owner, on create and on update', async () => {
    const user = await createLocalUser(stack, 'stamp-forger@reconciler.local');
    const stamp = '2020-01-01T00:00:00.000Z';
    const create = await postGraphql(
      user.idToken,
      'mutation C($input: CreateJobInput!) { createJob(input: $input) { id } }',
      {
        input: {
          compositionId: 'title-card',
          title: 'Forged stamp',
          inputProps: '{"title":"x"}',
          queueCheckedAt: stamp,
        },
      },
    );
    const id = await createJobAs(stack, user, { title: 'Honest' });
    const update = await postGraphql(
      user.idToken,
      'mutation U($input: UpdateJobInput!) { updateJob(input: $input) { id } }',
      { input: { id, queueCheckedAt: stamp } },
    );

    expect(create.data?.createJob ?? null).toBeNull();
    expect(update.data?.updateJob ?? null).toBeNull();
    expect(JSON.stringify([create.errors, update.errors])).toMatch(/Unauthorized/);
    expect((await table.get(id)) as { queueCheckedAt?: string }).not.toMatchObject({
      queueCheckedAt: stamp,
    });
  });
});
