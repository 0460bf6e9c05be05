import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppSyncJobStore } from '../../amplify/functions/render-worker/appsync-job-store';
import { withDynamoReads } from '../../amplify/functions/render-worker/dynamo-job-reads';
import type { JobStore } from '../../amplify/functions/render-worker/ports';
import { startDataPlane, type DataPlane } from '../../local/data-plane';
import { LOCAL_AWS_CREDENTIALS } from '../../local/dynamodb/dynamodb-local';
import { createSigV4GraphqlTransport } from '../../local/worker/sigv4-graphql-transport';

// The worker's reads and slots on the tables (docs/architecture.md, "Data flow") against DynamoDB Local and
// the AppSync simulator over the same tables: what one side writes, the other must read the same.

const USER = { email: 'dora@example.com', password: 'Dora-pass-1234' };

let dataDir: string;
let plane: DataPlane;
let dynamodb: DynamoDBClient;
/** Everything through AppSync (IAM), as the reconciler and the worker before had it. */
let appsync: JobStore;
/** The worker's store: writes through AppSync, reads and slots on the tables. */
let direct: JobStore;
let token: string;

async function createJobAs(input: Record<string, unknown>): Promise<string> {
  const response = await fetch(plane.graphql.url, {
    method: 'POST',
    headers: { authorization: token, 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation Create($input: CreateJobInput!) { createJob(input: $input) { id } }',
      variables: { input },
    }),
  });
  const body = (await response.json()) as { data?: { createJob?: { id: string } | null } };
  const id = body.data?.createJob?.id;
  if (!id) throw new Error(`createJob: expected an id, but got ${JSON.stringify(body)}`);
  return id;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dynamo-job-reads-'));
  plane = await startDataPlane({ dataDir });
  await plane.cognito.createUser(USER.email, USER.password);
  token = (await plane.cognito.signIn(USER.email, USER.password)).idToken;
  appsync = createAppSyncJobStore(
    createSigV4GraphqlTransport({
      url: plane.graphql.url,
      region: plane.graphql.region,
      credentials: plane.workerCredentials,
    }),
  );
  dynamodb = new DynamoDBClient({
    endpoint: plane.dynamodb.endpoint,
    region: plane.dynamodb.region,
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  direct = withDynamoReads(appsync, dynamodb, {
    jobTable: plane.dynamodb.jobTableName,
    renderSlotTable: plane.dynamodb.renderSlotTableName,
  });
});

afterAll(async () => {
  dynamodb?.destroy();
  await plane?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("the worker's reads on the tables", () => {
  it('reads a job the owner created exactly as AppSync reads it, props, metadata and server fields included', async () => {
    // Prepare
    const id = await createJobAs({
      compositionId: 'title-card',
      title: 'Same both ways',
      inputProps: JSON.stringify({ title: 'Hello', subtitle: 'ü 🎬', accent: '#ff0066' }),
      metadata: JSON.stringify({ orderId: '42', tags: ['a', 'b'] }),
      outputFormat: 'webm',
      scale: 0.5,
    });
    await appsync.update(
      id,
      { status: 'QUEUED' },
      { status: 'RENDERING', startedAt: '2026-12-07T10:00:00.000Z', attempts: 1, progress: 0.25 },
    );

    // Act
    const [viaTable, viaAppSync] = await Promise.all([direct.get(id), appsync.get(id)]);

    // Assess: AppSync hands AWSJSON back as text, the table as the map AppSync stored; the worker sees one value.
    expect(viaTable).toMatchObject({
      id,
      owner: viaAppSync!.owner,
      compositionId: 'title-card',
      title: 'Same both ways',
      status: 'RENDERING',
      cancelRequested: false,
      attempts: 1,
      progress: 0.25,
      startedAt: '2026-12-07T10:00:00.000Z',
      outputFormat: 'webm',
      scale: 0.5,
      inputProps: { title: 'Hello', subtitle: 'ü 🎬', accent: '#ff0066' },
      createdAt: viaAppSync!.createdAt,
      updatedAt: viaAppSync!.updatedAt,
    });
    expect(viaAppSync!.inputProps).toEqual(viaTable!.inputProps);
    // The table holds `<sub>::<username>`; both answer what Amplify's owner resolver does, the part after `::`.
    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: plane.dynamodb.jobTableName, Key: { id: { S: id } } }),
    );
    expect(Item?.owner?.S).toBe(`${viaTable!.owner}::${viaTable!.owner}`);
    expect(viaTable!.owner).toMatch(/^[0-9a-f-]{36}$/);
    for (const metadata of [viaTable!.metadata, viaAppSync!.metadata]) {
      const value: unknown = typeof metadata === 'string' ? JSON.parse(metadata) : metadata;
      expect(value).toEqual({ orderId: '42', tags: ['a', 'b'] });
    }
    expect(await direct.get('no-such-job')).toBeNull();
  });

  it('reads numbers beyond 2^53 in props and metadata as numbers, as AppSync answers them, never BigInt', async () => {
    // Prepare: AppSync stores AWSJSON numbers as DynamoDB numbers; the simulator refuses to create one this large, so
    // the table gets it directly: 2^60, beyond Number.MAX_SAFE_INTEGER.
    const id = await createJobAs({ compositionId: 'title-card', inputProps: '{"title":"Big"}' });
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: plane.dynamodb.jobTableName,
        Key: { id: { S: id } },
        UpdateExpression: 'SET inputProps.#count = :big, metadata = :metadata',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: {
          ':big': { N: '1152921504606846976' },
          ':metadata': { M: { orderId: { N: '1152921504606846976' } } },
        },
      }),
    );

    // Act
    const job = await direct.get(id);

    // Assess: the DocumentClient alone would answer a BigInt, which zod refuses and JSON.stringify throws on.
    expect(job!.inputProps).toEqual({ title: 'Big', count: 2 ** 60 });
    expect(job!.metadata).toEqual({ orderId: 2 ** 60 });
    expect(JSON.stringify(job!.metadata)).toBe(JSON.stringify({ orderId: 2 ** 60 }));
  });

  it('reads a write at once (a strongly consistent read), and a fresh record as QUEUED', async () => {
    const id = await createJobAs({ compositionId: 'title-card', inputProps: '{}' });
    expect(await direct.get(id)).toMatchObject({ id, status: 'QUEUED', attempts: 0 });

    await appsync.update(id, { status: 'QUEUED' }, { cancelRequested: true } as never);
    await appsync.update(id, { status: 'QUEUED' }, { status: 'CANCELLED' });

    expect(await direct.get(id)).toMatchObject({ id, status: 'CANCELLED' });
  });

  it('lists the same jobs RENDERING as AppSync does, from the status index', async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(() => createJobAs({ compositionId: 'title-card', inputProps: '{}' })),
    );
    for (const id of ids.slice(0, 2))
      await appsync.update(id, { status: 'QUEUED' }, { status: 'RENDERING' });

    const [viaTable, viaAppSync] = await Promise.all([
      direct.listRenderingJobs(),
      appsync.listRenderingJobs(),
    ]);

    const byId = (jobs: { id: string }[]) => [...jobs].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(viaTable)).toEqual(byId(viaAppSync));
    expect(viaTable.map((job) => job.id)).toEqual(expect.arrayContaining(ids.slice(0, 2)));
    expect(viaTable.map((job) => job.id)).not.toContain(ids[2]);
    for (const job of viaTable) expect(job).toMatchObject({ status: 'RENDERING' });
  });
});

describe("the worker's render slots on their table", () => {
  const owner = 'f00d-owner::dora';

  it('takes a slot at most once, and releases it only for the job that holds it', async () => {
    const slot = { jobOwner: owner, slot: 0, jobId: 'job-a' };
    expect(await direct.createRenderSlot(slot)).toBe(true);
    expect(await direct.createRenderSlot({ ...slot, jobId: 'job-b' })).toBe(false);
    expect(await appsync.createRenderSlot({ ...slot, jobId: 'job-c' })).toBe(false);

    expect(await direct.deleteRenderSlot({ ...slot, jobId: 'job-b' })).toBe(false);
    expect(await direct.listRenderSlots(owner)).toEqual([
      { ...slot, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
    ]);
    expect(await direct.deleteRenderSlot(slot)).toBe(true);
    expect(await direct.deleteRenderSlot(slot)).toBe(false);
    expect(await direct.listRenderSlots(owner)).toEqual([]);
  });

  it('writes slots the reconciler reads through AppSync, and frees slots AppSync wrote', async () => {
    // A slot the worker takes: the reconciler lists every slot through AppSync and may release it there.
    expect(await direct.createRenderSlot({ jobOwner: owner, slot: 1, jobId: 'job-d' })).toBe(true);
    const listed = await appsync.listRenderSlots();
    expect(listed).toContainEqual({
      jobOwner: owner,
      slot: 1,
      jobId: 'job-d',
      createdAt: expect.stringMatching(/^\d{4}-/),
    });
    // Every slot, from the worker's store too: that listing is AppSync's (the worker is granted no scan).
    expect(await direct.listRenderSlots()).toEqual(listed);
    expect(await appsync.deleteRenderSlot({ jobOwner: owner, slot: 1, jobId: 'job-d' })).toBe(true);

    // And the other way round: a slot written through AppSync, read and freed on the table.
    expect(await appsync.createRenderSlot({ jobOwner: owner, slot: 2, jobId: 'job-e' })).toBe(true);
    expect((await direct.listRenderSlots(owner)).map((slot) => slot.jobId)).toEqual(['job-e']);
    expect(await direct.deleteRenderSlot({ jobOwner: owner, slot: 2, jobId: 'job-e' })).toBe(true);
    expect(await appsync.listRenderSlots(owner)).toEqual([]);
  });

  it("lists one owner's slots only, in slot order", async () => {
    const other = 'beef-owner::eve';
    for (const [jobOwner, slot, jobId] of [
      [owner, 2, 'job-f'],
      [other, 0, 'job-g'],
      [owner, 0, 'job-h'],
    ] as const)
      expect(await direct.createRenderSlot({ jobOwner, slot, jobId })).toBe(true);

    expect((await direct.listRenderSlots(owner)).map((slot) => [slot.slot, slot.jobId])).toEqual([
      [0, 'job-h'],
      [2, 'job-f'],
    ]);
    expect((await direct.listRenderSlots(other)).map((slot) => slot.jobId)).toEqual(['job-g']);
  });
});
