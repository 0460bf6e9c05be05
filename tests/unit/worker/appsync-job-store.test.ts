import { parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import {
  createAmplifyGraphqlTransport,
  AppSyncRequestError,
  createAppSyncJobStore,
  toCondition,
  type GraphqlTransport,
} from '../../../amplify/functions/render-worker/appsync-job-store';
import { classifyFailure } from '../../../amplify/functions/render-worker/failure-classes';

/** The names selected directly under the operation's root field. */
const selectedFields = (query: string): string[] => {
  const operation = parse(query).definitions[0] as OperationDefinitionNode;
  const root = operation.selectionSet.selections[0] as FieldNode;
  return (root.selectionSet?.selections ?? []).map(
    (selection) => (selection as FieldNode).name.value,
  );
};

const recordingTransport = (
  respond: (query: string, variables: Record<string, unknown>) => unknown,
) => {
  const calls: { query: string; variables: Record<string, unknown> }[] = [];
  const send: GraphqlTransport = async (query, variables) => {
    calls.push({ query, variables });
    return respond(query, variables);
  };
  return { send, calls };
};

describe('AppSync job store', () => {
  it("lists an owner's waiting batch rows by the rowOwner index, skipping rows in backoff, following pages until it has enough", async () => {
    const pages: Record<string, unknown> = {
      first: {
        items: [
          { id: 'a-row-00000', attempts: null },
          // In retry backoff: it keeps its own message and wait.
          { id: 'a-row-00001', attempts: 1 },
          null,
        ],
        nextToken: 'second',
      },
      second: {
        items: [{ id: 'a-row-00002' }, { id: 'a-row-00003', attempts: 0 }],
        nextToken: 'third',
      },
    };
    const transport = recordingTransport((_query, variables) => ({
      listJobsByRowOwnerAndStatus: pages[String(variables.nextToken ?? 'first')],
    }));
    const store = createAppSyncJobStore(transport.send);

    expect(await store.listWaitingRowIds('sub-a::alice', 2)).toEqual([
      'a-row-00000',
      'a-row-00002',
    ]);

    // The key is the owner as stored, verbatim: the index is keyed by it, not by a filter over other owners' jobs.
    expect(transport.calls.map((call) => call.variables)).toEqual([
      { rowOwner: 'sub-a::alice', limit: 10, nextToken: null },
      { rowOwner: 'sub-a::alice', limit: 10, nextToken: 'second' },
    ]);
    expect(transport.calls[0]!.query).toMatch(
      /listJobsByRowOwnerAndStatus\(rowOwner: \$rowOwner, status: \{ eq: "QUEUED" \}/,
    );
  });

  it('sends a conditional updateJob that selects owner and carries the condition', async () => {
    const transport = recordingTransport(() => ({
      updateJob: { id: 'job-1', owner: 'sub::alice' },
    }));
    const store = createAppSyncJobStore(transport.send);

    const written = await store.update(
      'job-1',
      { status: 'RENDERING', renderId: 'render-1' },
      { progress: 0.5, costUsd: 0.01 },
    );

    expect(written).toBe(true);
    const [call] = transport.calls;
    expect(call!.query).toMatch(
      /mutation UpdateJob\(\$input: UpdateJobInput!, \$condition: ModelJobConditionInput\)/,
    );
    expect(selectedFields(call!.query)).toEqual(
      expect.arrayContaining(['owner', 'status', 'progress', 'costUsd']),
    );
    expect(call!.variables).toEqual({
      input: { id: 'job-1', progress: 0.5, costUsd: 0.01 },
      condition: { and: [{ status: { eq: 'RENDERING' } }, { renderId: { eq: 'render-1' } }] },
    });
  });

  it('treats QUEUED as "QUEUED or no status yet" and null as absent', () => {
    // ModelJobStatusInput has only eq/ne: "none of the others" also matches a record with no status.
    expect(toCondition({ status: 'QUEUED', renderId: null })).toEqual({
      and: [
        {
          not: {
            or: [
              { status: { eq: 'RENDERING' } },
              { status: { eq: 'SUCCEEDED' } },
              { status: { eq: 'FAILED' } },
              { status: { eq: 'CANCELLED' } },
            ],
          },
        },
        { renderId: { attributeExists: false } },
      ],
    });
  });

  it('reports a failed condition as false, and rethrows other AppSync errors classified', async () => {
    const conditionFailed = {
      data: { updateJob: null },
      errors: [
        {
          errorType: 'DynamoDB:ConditionalCheckFailedException',
          message: 'The conditional request failed',
        },
      ],
    };
    const throttled = {
      data: null,
      errors: [{ errorType: 'Throttling', message: 'Rate exceeded' }],
    };
    const unauthorized = {
      data: null,
      errors: [{ errorType: 'Unauthorized', message: 'Not Authorized to access updateJob' }],
    };
    const graphql = vi
      .fn()
      .mockRejectedValueOnce(conditionFailed)
      .mockRejectedValueOnce(throttled)
      .mockResolvedValueOnce(unauthorized);
    const store = createAppSyncJobStore(createAmplifyGraphqlTransport({ graphql }));

    expect(await store.update('job-1', { status: 'QUEUED' }, { status: 'CANCELLED' })).toBe(false);
    const throttleError = await store
      .update('job-1', { status: 'QUEUED' }, {})
      .catch((error: unknown) => error);
    const authError = await store
      .update('job-1', { status: 'QUEUED' }, {})
      .catch((error: unknown) => error);

    expect(classifyFailure(throttleError)).toEqual({
      retryable: true,
      message: 'Throttling: Rate exceeded',
    });
    expect(classifyFailure(authError)).toEqual({
      retryable: false,
      message: 'Unauthorized: Not Authorized to access updateJob',
    });
    expect(graphql.mock.calls[0]![0].variables.condition).toBeDefined();
  });

  it('refuses to call a write done when AppSync returns neither the job nor an error', async () => {
    const store = createAppSyncJobStore(async () => ({ updateJob: null }));

    await expect(
      store.update('job-1', { status: 'QUEUED' }, { status: 'CANCELLED' }),
    ).rejects.toThrow('AppSync returned no job from updateJob for job-1');
  });

  it('reads a job, parsing AWSJSON props and treating a missing status as QUEUED', async () => {
    const transport = recordingTransport(() => ({
      getJob: {
        id: 'job-1',
        owner: 'sub::alice',
        compositionId: 'hello',
        inputProps: '{"title":"Hi"}',
        status: null,
        cancelRequested: null,
      },
    }));
    const store = createAppSyncJobStore(transport.send);

    const job = await store.get('job-1');

    expect(job).toMatchObject({
      id: 'job-1',
      status: 'QUEUED',
      inputProps: { title: 'Hi' },
      cancelRequested: false,
      attempts: 0,
    });
    expect(selectedFields(transport.calls[0]!.query)).toContain('owner');
  });

  it('lists rendering jobs from the status index, page by page', async () => {
    const pages = [
      { items: [{ id: 'a', owner: 'o', status: 'RENDERING', createdAt: '1' }], nextToken: 't1' },
      { items: [{ id: 'b', owner: 'p', status: 'RENDERING', createdAt: '2' }], nextToken: null },
    ];
    const transport = recordingTransport(() => ({ listJobsByStatusAndCreatedAt: pages.shift() }));
    const store = createAppSyncJobStore(transport.send);

    const rendering = await store.listRenderingJobs();

    expect(rendering.map((job) => job.id)).toEqual(['a', 'b']);
    expect(transport.calls[0]!.query).toMatch(/listJobsByStatusAndCreatedAt\(status: RENDERING/);
    expect(transport.calls.map((call) => call.variables.nextToken)).toEqual([null, 't1']);
  });

  it("lists an owner's render slots by key and every slot without one, page by page", async () => {
    const slot = (n: number) => ({ jobOwner: 'u-1', slot: n, jobId: `job-${n}`, createdAt: 't' });
    const pages = [
      { items: [slot(0)], nextToken: 't1' },
      { items: [slot(1), null], nextToken: null },
      { items: [slot(2)], nextToken: null },
    ];
    const transport = recordingTransport(() => ({ listRenderSlots: pages.shift() }));
    const store = createAppSyncJobStore(transport.send);

    const owners = await store.listRenderSlots('u-1');
    const all = await store.listRenderSlots();

    expect(owners).toEqual([slot(0), slot(1)]);
    expect(all).toEqual([slot(2)]);
    expect(transport.calls.map((call) => call.variables)).toEqual([
      { jobOwner: 'u-1', limit: 1000, nextToken: null },
      { jobOwner: 'u-1', limit: 1000, nextToken: 't1' },
      { jobOwner: null, limit: 1000, nextToken: null },
    ]);
  });

  it('takes a slot with a plain create and reports a taken one (ConditionalCheckFailed) as false', async () => {
    let taken = false;
    const transport = recordingTransport(() => {
      if (taken)
        throw new AppSyncRequestError('DynamoDB:ConditionalCheckFailedException', 'exists');
      taken = true;
      return { createRenderSlot: { jobOwner: 'u-1', slot: 0, jobId: 'a' } };
    });
    const store = createAppSyncJobStore(transport.send);

    expect(await store.createRenderSlot({ jobOwner: 'u-1', slot: 0, jobId: 'a' })).toBe(true);
    expect(await store.createRenderSlot({ jobOwner: 'u-1', slot: 0, jobId: 'b' })).toBe(false);
    expect(transport.calls[1]!.variables).toEqual({
      input: { jobOwner: 'u-1', slot: 0, jobId: 'b' },
    });
  });

  it('deletes a slot only on condition that the job still holds it', async () => {
    const transport = recordingTransport((query, variables) => {
      const condition = variables.condition as { jobId: { eq: string } };
      if (condition.jobId.eq !== 'a')
        throw new AppSyncRequestError('DynamoDB:ConditionalCheckFailedException', 'held by a');
      return { deleteRenderSlot: { jobOwner: 'u-1', slot: 0, jobId: 'a' } };
    });
    const store = createAppSyncJobStore(transport.send);

    expect(await store.deleteRenderSlot({ jobOwner: 'u-1', slot: 0, jobId: 'b' })).toBe(false);
    expect(await store.deleteRenderSlot({ jobOwner: 'u-1', slot: 0, jobId: 'a' })).toBe(true);
    expect(transport.calls[1]!.variables).toEqual({
      input: { jobOwner: 'u-1', slot: 0 },
      condition: { jobId: { eq: 'a' } },
    });
  });

  it('lists active jobs page by page with a filter that also matches a missing status', async () => {
    const pages = [
      { items: [{ id: 'a', owner: 'o', status: 'QUEUED', createdAt: '1' }], nextToken: 't1' },
      {
        items: [{ id: 'b', owner: 'o', status: 'RENDERING', createdAt: '2' }, null],
        nextToken: null,
      },
    ];
    const transport = recordingTransport(() => ({ listJobs: pages.shift() }));
    const store = createAppSyncJobStore(transport.send);

    const active = await store.listActiveJobs();

    const unset = {
      renderId: null,
      startedAt: null,
      queueCheckedAt: null,
      updatedAt: null,
      batchId: null,
      rowOwner: null,
      attempts: null,
    };
    expect(active).toEqual([
      { id: 'a', owner: 'o', status: 'QUEUED', createdAt: '1', cancelRequested: false, ...unset },
      {
        id: 'b',
        owner: 'o',
        status: 'RENDERING',
        createdAt: '2',
        cancelRequested: false,
        ...unset,
      },
    ]);
    expect(transport.calls.map((call) => call.variables.nextToken)).toEqual([null, 't1']);
    expect(transport.calls[0]!.query).toMatch(/listJobs\(filter: \$filter/);
    expect(transport.calls[0]!.variables).toMatchObject({
      filter: {
        not: {
          or: [
            { status: { eq: 'SUCCEEDED' } },
            { status: { eq: 'FAILED' } },
            { status: { eq: 'CANCELLED' } },
          ],
        },
      },
    });
  });
});
