import { parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import {
  createAmplifyGraphqlTransport,
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

  it("lists the owner's earlier active jobs from the owner index, newest first, stopping once it has enough", async () => {
    const item = (id: string) => ({ id, owner: 'u-1', status: 'QUEUED', createdAt: id });
    const pages = [
      { items: [item('9'), item('8')], nextToken: 't1' },
      { items: [item('7'), item('6')], nextToken: 't2' },
      { items: [item('5')], nextToken: null },
    ];
    const transport = recordingTransport(() => ({ listJobsByOwnerAndCreatedAt: pages.shift() }));
    const store = createAppSyncJobStore(transport.send);

    const active = await store.listActiveJobsOfOwner({ id: '9', owner: 'u-1', createdAt: '9' }, 3);

    expect(active.map((job) => job.id)).toEqual(['9', '8', '7', '6']);
    expect(transport.calls).toHaveLength(2);
    expect(transport.calls[0]!.query).toMatch(/sortDirection: DESC/);
    // A read reports the owner's last `::` part; the index key is `<sub>::<username>`.
    expect(transport.calls[0]!.variables).toMatchObject({
      owner: 'u-1::u-1',
      createdAt: { le: '9' },
      filter: { not: { or: expect.any(Array) as unknown } },
    });
  });

  it('falls back to the full listing when the owner index does not hold the job itself (the key guess was wrong)', async () => {
    const transport = recordingTransport((query) =>
      query.includes('listJobsByOwnerAndCreatedAt')
        ? { listJobsByOwnerAndCreatedAt: { items: [], nextToken: null } }
        : {
            listJobs: {
              items: [
                { id: 'mine', owner: 'ada', status: 'QUEUED', createdAt: '2' },
                { id: 'older', owner: 'ada', status: 'RENDERING', createdAt: '1' },
                { id: 'newer', owner: 'ada', status: 'QUEUED', createdAt: '3' },
                { id: 'theirs', owner: 'bert', status: 'QUEUED', createdAt: '1' },
              ],
              nextToken: null,
            },
          },
    );
    const store = createAppSyncJobStore(transport.send);

    const active = await store.listActiveJobsOfOwner(
      { id: 'mine', owner: 'ada', createdAt: '2' },
      3,
    );

    expect(active.map((job) => job.id)).toEqual(['mine', 'older']);
    expect(transport.calls.map((call) => /listJobs\(/.test(call.query))).toEqual([false, true]);
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

    expect(active).toEqual([
      { id: 'a', owner: 'o', status: 'QUEUED', createdAt: '1' },
      { id: 'b', owner: 'o', status: 'RENDERING', createdAt: '2' },
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
