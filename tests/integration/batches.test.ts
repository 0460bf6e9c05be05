// Batches against one local stack (stub renderer, the AppSync simulator, DynamoDB Local, fauxqs): idempotent creation
// under a retried request and a redelivered message, caps refused with their messages, retry of a dead-lettered row,
// cancel of a running batch, aggregate progress over the subscription, and what other users and clients cannot do.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { generateClient } from 'aws-amplify/data';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Schema } from '../../amplify/data/resource';
import { createDynamoSpendLedger } from '../../amplify/functions/render-worker/dynamo-spend-ledger';
import type { Renderer } from '../../amplify/functions/render-worker/ports';
import {
  batchJobId,
  MAX_QUEUED_ROWS_PER_USER,
  MAX_ROWS_PER_BATCH,
} from '../../contract/batch-contract';
import { ownerSubOf } from '../../contract/job-contract';
import { batchQuotaMessage, ledgerKeys } from '../../contract/spend-budget';
import { LOCAL_AWS_CREDENTIALS } from '../../local/dynamodb/dynamodb-local';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { createAmplifyJobsApi } from '../../src/features/jobs/api/amplify-jobs-api';
import {
  configureStudioClient,
  countRenderStarts,
  createLocalUser,
  openJobTable,
  waitUntil,
  type LocalUser,
} from '../support/local-stack-session';

let dataDir: string;
let stack: LocalStack;
let table: ReturnType<typeof openJobTable>;
let alice: LocalUser;
let bob: LocalUser;
const stackLog: string[] = [];
const logTail = () => stackLog.slice(-30).join('\n');
// Room for the queued-rows cap's two full batches; the quota test seeds a day of renders near it.
const DAILY_RENDERS_PER_USER = 30_000;

// Fault seams keyed by the row's props title: Poison rows are throttled while `poisonActive`; Hold rows keep
// rendering until cancelled.
let poisonActive = true;
const startsOf = new Map<string, number>();
const heldRenders = new Set<string>();
const renderOfTitle = new Map<string, string>();
const cancelledRenders = new Set<string>();
const titleOf = (props: Record<string, unknown>) => String(props.title ?? '');

function wrapRenderer(renderer: Renderer): Renderer {
  return {
    async start(request) {
      const title = titleOf(request.inputProps);
      startsOf.set(title, (startsOf.get(title) ?? 0) + 1);
      if (title.startsWith('Poison') && poisonActive) throw new Error('Rate Exceeded.');
      const started = await renderer.start(request);
      if (title.startsWith('Hold')) heldRenders.add(started.renderId);
      renderOfTitle.set(title, started.renderId);
      return started;
    },
    async getProgress(renderId) {
      if (heldRenders.has(renderId) && !cancelledRenders.has(renderId))
        return { state: 'running', progress: 0.5, renderedFrames: 1, totalFrames: 2, costUsd: 0 };
      return renderer.getProgress(renderId);
    },
    async cancel(renderId) {
      cancelledRenders.add(renderId);
      await renderer.cancel(renderId).catch(() => undefined);
    },
  };
}

type GraphqlBody = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; errorType?: string }[];
};

async function gql(
  user: LocalUser,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlBody> {
  const response = await fetch(stack.outputs.data.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: user.idToken },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphqlBody;
}

const BATCH = `id owner status rowCount addedRows queued rendering succeeded failed cancelled progress costUsd
  finishedAt clientToken`;
type BatchView = {
  id: string;
  owner: string;
  status: string;
  rowCount: number;
  addedRows: number;
  queued: number;
  rendering: number;
  succeeded: number;
  failed: number;
  cancelled: number;
  progress: number;
  finishedAt: string | null;
};

const createBatch = (user: LocalUser, clientToken: string, rowCount: number, title = 'B') =>
  gql(
    user,
    `mutation($t: String!, $n: Int!, $title: String) { createBatch(clientToken: $t, compositionId: "title-card", rowCount: $n, title: $title) { ${BATCH} } }`,
    { t: clientToken, n: rowCount, title },
  );

const addRows = (user: LocalUser, batchId: string, firstRowIndex: number, rows: unknown[]) =>
  gql(
    user,
    `mutation($b: ID!, $f: Int!, $rows: AWSJSON!) { addBatchRows(batchId: $b, firstRowIndex: $f, rows: $rows) { batchId added alreadyPresent addedRows status } }`,
    { b: batchId, f: firstRowIndex, rows: JSON.stringify(rows) },
  );

const getBatch = async (user: LocalUser, id: string) =>
  ((await gql(user, `query($id: ID!) { getBatch(id: $id) { ${BATCH} } }`, { id })).data?.getBatch ??
    null) as BatchView | null;

const waitForBatchEnd = (user: LocalUser, id: string, timeoutMs = 45_000) =>
  waitUntil(
    `batch ${id} ending`,
    async () => {
      const batch = await getBatch(user, id);
      return batch?.finishedAt ? batch : undefined;
    },
    timeoutMs,
    logTail,
  );

const rowsOf = async (batchId: string) =>
  (await table.scan()).filter((job) => (job as { batchId?: string }).batchId === batchId);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'batches-'));
  stack = await startLocalStack({
    dataDir,
    renderer: 'stub',
    stubRenderMs: [200, 300],
    renderCap: 4,
    reconciler: { everyMs: 0 },
    spendBudgets: { dailyRendersPerUser: DAILY_RENDERS_PER_USER },
    log: (line) => stackLog.push(line),
    faults: { wrapRenderer },
  });
  table = openJobTable(stack);
  configureStudioClient(stack);
  [alice, bob] = await Promise.all([
    createLocalUser(stack, 'alice-batch@example.com'),
    createLocalUser(stack, 'bob-batch@example.com'),
  ]);
}, 120_000);

afterAll(async () => {
  table?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('batches in local mode', () => {
  let firstBatchId: string;

  it('creates one batch and one job per row under a retried request and a redelivered message, and ends with exact counters pushed to the subscriber', async () => {
    // Prepare: Alice subscribes to her batches, as the batch card does.
    const client = generateClient<Schema>({ authMode: 'lambda', authToken: alice.idToken });
    const updates: Schema['Batch']['type'][] = [];
    const subscription = client.models.Batch.onUpdate().subscribe({
      next: (batch) => updates.push(batch),
    });

    // Act: the same createBatch and the same chunk, each sent twice at once (a retry racing the original).
    const [created, retried] = await Promise.all([
      createBatch(alice, 'retry-token-1', 3),
      createBatch(alice, 'retry-token-1', 3),
    ]);
    const batch = created.data?.createBatch as BatchView;
    firstBatchId = batch.id;
    const rows = [{ title: 'One' }, { title: 'Two' }, { title: 'Three' }];
    const adds = await Promise.all([
      addRows(alice, batch.id, 0, rows),
      addRows(alice, batch.id, 0, rows),
    ]);
    // The Job stream delivered row 1's INSERT again, and so did a redrive: two more messages for it.
    const sqs = new SQSClient({
      endpoint: stack.queue.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    for (let i = 0; i < 2; i += 1)
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: stack.queue.queueUrl,
          MessageBody: JSON.stringify({ jobId: batchJobId(batch.id, 1) }),
        }),
      );
    sqs.destroy();
    const ended = await waitForBatchEnd(alice, batch.id);
    await stack.batchProgressIdle();

    // Assess
    expect(retried.data?.createBatch).toMatchObject({ id: batch.id });
    const answers = adds.map((add) => add.data?.addBatchRows as Record<string, number>);
    expect(answers.reduce((sum, answer) => sum + (answer.added ?? 0), 0)).toBe(3);
    expect(answers.reduce((sum, answer) => sum + (answer.alreadyPresent ?? 0), 0)).toBe(3);
    expect(ended).toMatchObject({
      status: 'FINISHED',
      rowCount: 3,
      addedRows: 3,
      queued: 0,
      rendering: 0,
      succeeded: 3,
      failed: 0,
      cancelled: 0,
      progress: 1,
    });
    const stored = await rowsOf(batch.id);
    expect(stored.map((job) => job.id).sort()).toEqual(
      [0, 1, 2].map((i) => batchJobId(batch.id, i)),
    );
    const starts = countRenderStarts(dataDir);
    for (const job of stored) expect(starts.get(job.id), job.id).toBe(1);
    // Aggregates, not one message per row: at most one per interval, and the last one is the exact end.
    await waitUntil(
      'the final update',
      () => (updates.at(-1)?.finishedAt ? true : undefined),
      10_000,
    );
    subscription.unsubscribe();
    expect(updates.length).toBeLessThan(3 * 3);
    expect(updates.at(-1)).toMatchObject({ status: 'FINISHED', succeeded: 3, progress: 1 });
  });

  it('refuses the caps with their messages at submit, and invalid rows naming row and field', async () => {
    const carol = await createLocalUser(stack, 'carol-batch@example.com');
    const tooMany = await createBatch(carol, 'caps-token-1', MAX_ROWS_PER_BATCH + 1);
    expect(tooMany.errors?.[0]?.message).toMatch(/at most 10,000 rows, but this one has 10,001/);
    for (let n = 0; n < MAX_QUEUED_ROWS_PER_USER / MAX_ROWS_PER_BATCH; n += 1)
      expect(
        (await createBatch(carol, `caps-full-${n}`, MAX_ROWS_PER_BATCH)).errors,
      ).toBeUndefined();
    const overQueued = await createBatch(carol, 'caps-token-2', 1);
    expect(overQueued.errors?.[0]?.message).toMatch(
      /20,000 batch rows queued or rendering; 1 more would exceed the limit of 20,000/,
    );
    const batch = (await createBatch(alice, 'caps-token-3', 600)).data?.createBatch as BatchView;
    const oversize = await addRows(
      alice,
      batch.id,
      0,
      Array.from({ length: 501 }, (_, i) => ({ title: `R${i}` })),
    );
    expect(oversize.errors?.[0]?.message).toMatch(/at most 500 rows, but got 501/);
    const heavy = Array.from({ length: 15 }, () => ({ title: 'x', filler: 'y'.repeat(63_000) }));
    expect((await addRows(alice, batch.id, 0, heavy)).errors?.[0]?.message).toMatch(
      /at most 900 KiB of rows, but got 9\d\d KiB/,
    );
    const invalid = await addRows(alice, batch.id, 0, [{ title: 'ok' }, { title: 'x'.repeat(93) }]);
    expect(invalid.errors?.[0]?.message).toMatch(
      /row 2: `title` must be at most 80 characters, but got 93/,
    );
    expect(await rowsOf(batch.id)).toEqual([]);
  });

  it("refuses at submit a batch past the owner's daily render quota, counting the renders the worker started", async () => {
    const dave = await createLocalUser(stack, 'dave-batch@example.com');
    const first = (await createBatch(dave, 'quota-token-1', 2)).data?.createBatch as BatchView;
    // Dave started all but 5 of today's renders: the worker's spend guard counts them in this entry.
    const dynamodb = new DynamoDBClient({
      endpoint: stack.dataPlane.dynamodb.endpoint,
      region: stack.dataPlane.dynamodb.region,
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    const ledger = createDynamoSpendLedger(dynamodb, stack.dataPlane.dynamodb.spendLedgerTableName);
    const today = ledgerKeys.userDay(ownerSubOf(first.owner), Date.now());
    await ledger.add(today, { renders: DAILY_RENDERS_PER_USER - 5 });
    // His first batch's two rows render, and the worker counts them: three renders are left.
    await addRows(dave, first.id, 0, [{ title: 'Quota 1' }, { title: 'Quota 2' }]);
    await waitForBatchEnd(dave, first.id);
    expect((await ledger.get(today))?.renders).toBe(DAILY_RENDERS_PER_USER - 3);

    const refused = await createBatch(dave, 'quota-token-2', 4);
    const started = DAILY_RENDERS_PER_USER - 3;
    expect(refused.errors?.[0]?.message).toBe(
      batchQuotaMessage(4, { perDay: DAILY_RENDERS_PER_USER, started, waiting: 0 }, Date.now()),
    );
    expect(refused.errors?.[0]?.message).toContain(`allows 3 more today: ${started} started`);
    const fits = await createBatch(dave, 'quota-token-3', 3);
    expect(fits.errors).toBeUndefined();
    // Those three rows now wait in a batch: nothing is left for another.
    expect((await createBatch(dave, 'quota-token-4', 1)).errors?.[0]?.message).toMatch(
      /asks for 1 render, but .* allows 0 more today: \d+ started, 3 waiting in your other batches/,
    );
    dynamodb.destroy();
  });

  it('ends a dead-lettered row FAILED with its reason, and retries it back into the queue to success', async () => {
    const batch = (await createBatch(alice, 'retry-token-2', 2)).data?.createBatch as BatchView;
    await addRows(alice, batch.id, 0, [{ title: 'Poison row' }, { title: 'Fine row' }]);
    const failedOnce = await waitForBatchEnd(alice, batch.id);
    const poison = await table.get(batchJobId(batch.id, 0));
    expect(failedOnce).toMatchObject({ status: 'FINISHED', succeeded: 1, failed: 1 });
    expect(poison?.errorMessage).toMatch(/gave up after 3 attempts/i);

    poisonActive = false;
    const retried = await gql(
      alice,
      `mutation($b: ID!) { retryBatchRows(batchId: $b) { ${BATCH} } }`,
      {
        b: batch.id,
      },
    );
    expect(retried.errors, JSON.stringify(retried.errors)).toBeUndefined();
    expect((retried.data?.retryBatchRows as BatchView).status).toBe('RUNNING');
    const ended = await waitForBatchEnd(alice, batch.id);
    expect(ended).toMatchObject({ status: 'FINISHED', succeeded: 2, failed: 0, progress: 1 });
    expect(startsOf.get('Poison row')).toBe(4);
  });

  it('cancels every unfinished row of a running batch, rendering ones through their render', async () => {
    const batch = (await createBatch(alice, 'cancel-token-1', 3)).data?.createBatch as BatchView;
    await addRows(alice, batch.id, 0, [
      { title: 'Hold 1' },
      { title: 'Hold 2' },
      { title: 'Hold 3' },
    ]);
    await waitUntil(
      'a row rendering',
      async () =>
        (await rowsOf(batch.id)).some((job) => job.status === 'RENDERING') ? true : undefined,
      20_000,
      logTail,
    );
    const cancel = await gql(alice, `mutation($b: ID!) { cancelBatch(batchId: $b) { ${BATCH} } }`, {
      b: batch.id,
    });
    expect((cancel.data?.cancelBatch as BatchView).status).toBe('CANCELLED');
    const ended = await waitForBatchEnd(alice, batch.id);
    expect(ended).toMatchObject({ status: 'CANCELLED', cancelled: 3, queued: 0, rendering: 0 });
    expect((await rowsOf(batch.id)).map((job) => job.status)).toEqual([
      'CANCELLED',
      'CANCELLED',
      'CANCELLED',
    ]);
    expect(cancelledRenders.size).toBeGreaterThan(0);
    for (const renderId of cancelledRenders) expect(heldRenders.has(renderId)).toBe(true);
  });

  it("keeps waiting rows out of the queue: another user's job starts at once, and each row's end wakes the next", async () => {
    const limit = 3; // the local per-user limit (MAX_ACTIVE_JOBS_PER_USER's default)
    const erin = await createLocalUser(stack, 'erin-batch@example.com');
    const sqs = new SQSClient({
      endpoint: stack.queue.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const messagesInQueue = async () => {
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: stack.queue.queueUrl, AttributeNames: ['All'] }),
      );
      return (
        [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ] as const
      )
        .map((name) => Number(Attributes?.[name] ?? 0))
        .reduce((sum, count) => sum + count, 0);
    };
    // The first `limit` rows hold their slots (renders that run until released); 12 more rows wait behind them.
    const rows = [
      ...Array.from({ length: limit }, (_, i) => ({ title: `Hold fair ${i + 1}` })),
      ...Array.from({ length: 12 }, (_, i) => ({ title: `Fair ${i + 1}` })),
    ];
    const batch = (await createBatch(erin, 'fair-token-1', rows.length)).data
      ?.createBatch as BatchView;
    expect((await addRows(erin, batch.id, 0, rows)).errors).toBeUndefined();
    await waitUntil(
      'the first rows rendering',
      async () =>
        (await rowsOf(batch.id)).filter((job) => job.status === 'RENDERING').length === limit
          ? true
          : undefined,
      20_000,
      logTail,
    );
    await stack.streamCaughtUp();

    // 12 rows wait, and the queue holds only the rendering rows' tracking messages (the delivery in flight and, for a
    // moment, the continuation it sent): nothing per waiting row. Parked rows would add 12 here.
    expect((await rowsOf(batch.id)).filter((job) => job.status === 'QUEUED')).toHaveLength(12);
    expect(await messagesInQueue()).toBeLessThanOrEqual(2 * limit);
    // Bob's single job is received at once and renders in the cap's free slot, ahead of the 12 waiting rows.
    const single = await gql(
      bob,
      `mutation { createJob(input: { compositionId: "title-card", inputProps: "{\\"title\\":\\"Not after the batch\\"}" }) { id } }`,
    );
    const singleId = (single.data?.createJob as { id: string }).id;
    const done = await waitUntil(
      "Bob's job ending",
      async () => {
        const job = await table.get(singleId);
        return job?.status === 'SUCCEEDED' ? job : undefined;
      },
      20_000,
      logTail,
    );
    expect(done.status).toBe('SUCCEEDED');
    expect((await rowsOf(batch.id)).filter((job) => job.status === 'QUEUED')).toHaveLength(12);

    // Released, the held rows end; from then on only the hand-off wakes rows (the reconciler is off here).
    for (let i = 1; i <= limit; i += 1) heldRenders.delete(renderOfTitle.get(`Hold fair ${i}`)!);
    const ended = await waitForBatchEnd(erin, batch.id, 60_000);
    expect(ended).toMatchObject({ status: 'FINISHED', succeeded: rows.length, failed: 0 });
    const jobs = await rowsOf(batch.id);
    const intervals = jobs.map((job) => ({
      start: Date.parse(job.startedAt!),
      end: Date.parse(job.finishedAt!),
    }));
    const mostAtOnce = Math.max(
      ...intervals.map(
        ({ start }) =>
          intervals.filter((other) => other.start <= start && other.end > start).length,
      ),
    );
    expect(mostAtOnce).toBeLessThanOrEqual(limit);
    const starts = countRenderStarts(dataDir);
    expect(jobs.map((job) => starts.get(job.id) ?? 0)).toEqual(jobs.map(() => 1));
    sqs.destroy();
  });

  it("lists Alice's single renders without her batches' rows, past pages that held only rows", async () => {
    const single = await gql(
      alice,
      `mutation { createJob(input: { compositionId: "title-card", inputProps: "{\\"title\\":\\"Single\\"}" }) { id } }`,
    );
    expect(single.errors, JSON.stringify(single.errors)).toBeUndefined();
    const created = single.data?.createJob as { id: string };
    // The owner value the studio reads from the session: `<sub>::<username>`.
    const claims = decodeJwt(alice.idToken);
    const api = createAmplifyJobsApi(
      generateClient<Schema>({ authMode: 'lambda', authToken: alice.idToken }),
      async () => `${String(claims.sub)}::${String(claims['cognito:username'])}`,
    );
    // Alice has rows in four batches; the single render is her only job that is not a row.
    const page = await api.listJobs({ limit: 1 });
    expect(page.jobs.map((job) => job.id)).toEqual([created.id]);
    expect((await rowsOf(firstBatchId)).length).toBe(3);
  });

  describe('what others and clients cannot do', () => {
    it("does not let another user add rows to, cancel, retry or read Alice's batch", async () => {
      const before = await getBatch(alice, firstBatchId);
      const add = await addRows(bob, firstBatchId, 0, [{ title: 'Mine now' }]);
      const cancel = await gql(bob, `mutation($b: ID!) { cancelBatch(batchId: $b) { id } }`, {
        b: firstBatchId,
      });
      const retry = await gql(bob, `mutation($b: ID!) { retryBatchRows(batchId: $b) { id } }`, {
        b: firstBatchId,
      });
      for (const body of [add, cancel, retry])
        expect(body.errors?.[0]?.message).toMatch(/^No batch .* of yours exists/);
      const read = await gql(bob, `query($id: ID!) { getBatch(id: $id) { id } }`, {
        id: firstBatchId,
      });
      expect(read.data?.getBatch ?? null).toBeNull();
      const list = await gql(bob, `query { listBatches { items { id } } }`);
      expect(JSON.stringify(list.data)).not.toContain(firstBatchId);
      const rows = await gql(
        bob,
        `query($b: ID!) { listJobsByBatchIdAndRowIndex(batchId: $b) { items { id } } }`,
        { b: firstBatchId },
      );
      expect(
        (rows.data?.listJobsByBatchIdAndRowIndex as { items: unknown[] } | null)?.items ?? [],
      ).toEqual([]);
      // The hand-off's index, keyed by Alice's stored owner: Bob finds none of her rows, Alice finds hers.
      const rowOwner = ((await rowsOf(firstBatchId))[0] as { rowOwner?: string }).rowOwner;
      expect(rowOwner).toMatch(/::/);
      const byRowOwner = (user: LocalUser) =>
        gql(
          user,
          `query($o: String!) { listJobsByRowOwnerAndStatus(rowOwner: $o) { items { id } } }`,
          { o: rowOwner },
        );
      const itemsOf = (body: GraphqlBody) =>
        (body.data?.listJobsByRowOwnerAndStatus as { items: { id: string }[] } | null)?.items ?? [];
      expect(itemsOf(await byRowOwner(bob))).toEqual([]);
      expect(itemsOf(await byRowOwner(alice)).map((item) => item.id)).toContain(
        batchJobId(firstBatchId, 0),
      );
      expect(await getBatch(alice, firstBatchId)).toEqual(before);
    });

    it('does not let a client write any Batch field, nor a Job its batchId, rowIndex or rowOwner', async () => {
      const update = await gql(
        alice,
        `mutation($i: UpdateBatchInput!) { updateBatch(input: $i) { id } }`,
        {
          i: { id: firstBatchId, succeeded: 99 },
        },
      );
      expect(update.errors?.[0]?.errorType).toBe('Unauthorized');
      const create = await gql(
        alice,
        `mutation { createBatch: createJob(input: { compositionId: "title-card", inputProps: "{}", batchId: "${firstBatchId}", rowIndex: 7 }) { id } }`,
      );
      expect(create.errors?.[0]?.message).toMatch(/Unauthorized on \[batchId, rowIndex\]/);
      // Nor slip a job of hers, or a forged one, among someone's waiting rows by the hand-off's key.
      const forged = await gql(
        alice,
        `mutation { createJob(input: { compositionId: "title-card", inputProps: "{}", rowOwner: "victim::victim" }) { id } }`,
      );
      expect(forged.errors?.[0]?.message).toMatch(/Unauthorized on \[rowOwner\]/);
      const own = (await rowsOf(firstBatchId))[0]!;
      const move = await gql(
        alice,
        `mutation($i: UpdateJobInput!) { updateJob(input: $i) { id } }`,
        {
          i: { id: own.id, rowIndex: 5 },
        },
      );
      expect(move.errors?.[0]?.errorType).toBe('Unauthorized');
      const schema = await gql(
        alice,
        `mutation { deleteBatch(input: { id: "${firstBatchId}" }) { id } }`,
      );
      expect(schema.errors?.[0]?.message).toMatch(/deleteBatch/);
      expect(await getBatch(alice, firstBatchId)).toMatchObject({
        succeeded: 3,
        status: 'FINISHED',
      });
      expect((await table.get(own.id)) as unknown).toMatchObject({
        rowIndex: (own as { rowIndex?: number }).rowIndex,
      });
    });
  });
});
