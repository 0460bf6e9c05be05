import { getAmplifyDataClientConfig } from '@aws-amplify/backend/function/runtime';
import { Amplify } from 'aws-amplify';
import { generateClient } from 'aws-amplify/data';
// Types only: a value import would bundle the backend definition (CDK) into the Lambda.
import type { Schema } from '../../data/resource';
import { TERMINAL_JOB_STATUSES, type JobStatus } from '../../../contract/job-contract';
import type {
  ActiveJob,
  ActiveJobDetails,
  JobExpectation,
  JobPatch,
  JobRecord,
  JobStore,
  RenderSlot,
} from './ports';

/** Sends one GraphQL operation and resolves its `data`; rejects with the AppSync errors otherwise. */
export type GraphqlTransport = (
  query: string,
  variables: Record<string, unknown>,
) => Promise<unknown>;

/** An error AppSync returned, kept with its `errorType` so failures can be classified. */
export class AppSyncRequestError extends Error {
  override readonly name = 'AppSyncRequestError';
  constructor(
    readonly errorType: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

// Every field, `owner` included: subscribers receive only what the mutation selects, and
// owner-scoped subscriptions do not fire at all without `owner`.
export const JOB_FIELDS = `id owner compositionId inputProps title metadata status cancelRequested progress renderedFrames totalFrames
  etaSeconds renderId outputBucket outputKey outputSizeBytes errorMessage costUsd attempts startedAt finishedAt
  queueCheckedAt createdAt updatedAt batchId rowIndex rowOwner outputFormat scale posterKey expiresAt expiredAt`;

const GET_JOB = `query GetJob($id: ID!) { getJob(id: $id) { ${JOB_FIELDS} } }`;
const UPDATE_JOB = `mutation UpdateJob($input: UpdateJobInput!, $condition: ModelJobConditionInput) {
  updateJob(input: $input, condition: $condition) { ${JOB_FIELDS} } }`;
const ACTIVE_JOB_FIELDS = 'items { id owner status createdAt } nextToken';
const ACTIVE_JOB_DETAIL_FIELDS = `items { id owner status createdAt cancelRequested renderId startedAt queueCheckedAt
  updatedAt batchId rowOwner attempts } nextToken`;
const LIST_ACTIVE = `query ListActiveJobs($filter: ModelJobFilterInput, $limit: Int, $nextToken: String) {
  listJobs(filter: $filter, limit: $limit, nextToken: $nextToken) { ${ACTIVE_JOB_DETAIL_FIELDS} } }`;
const LIST_RENDERING = `query ListRenderingJobs($limit: Int, $nextToken: String) {
  listJobsByStatusAndCreatedAt(status: RENDERING, limit: $limit, nextToken: $nextToken) { ${ACTIVE_JOB_FIELDS} } }`;
// A batch row's owner waiting in the table, by the rowOwner index: a key query, so other owners' rows cost nothing.
// A sort key's condition is typed as a string, so the status is quoted.
const LIST_WAITING_ROWS = `query ListWaitingRows($rowOwner: String!, $limit: Int, $nextToken: String) {
  listJobsByRowOwnerAndStatus(rowOwner: $rowOwner, status: { eq: "QUEUED" }, limit: $limit, nextToken: $nextToken) {
    items { id attempts } nextToken } }`;
/** Index items read per page when looking for an owner's waiting rows, and pages read at most. */
const WAITING_PAGE_SIZE = 100;
const WAITING_MAX_PAGES = 5;
const SLOT_FIELDS = 'jobOwner slot jobId createdAt';
// With a `jobOwner` this is a key query; without one, a scan of the (small) slot table.
const LIST_SLOTS = `query ListRenderSlots($jobOwner: String, $limit: Int, $nextToken: String) {
  listRenderSlots(jobOwner: $jobOwner, limit: $limit, nextToken: $nextToken) { items { ${SLOT_FIELDS} } nextToken } }`;
const CREATE_SLOT = `mutation CreateRenderSlot($input: CreateRenderSlotInput!) {
  createRenderSlot(input: $input) { ${SLOT_FIELDS} } }`;
const DELETE_SLOT = `mutation DeleteRenderSlot($input: DeleteRenderSlotInput!, $condition: ModelRenderSlotConditionInput) {
  deleteRenderSlot(input: $input, condition: $condition) { ${SLOT_FIELDS} } }`;
// A record over the union, so the compiler flags any status added to the schema but not here.
const KNOWN_STATUSES: Record<JobStatus, true> = {
  QUEUED: true,
  RENDERING: true,
  SUCCEEDED: true,
  FAILED: true,
  CANCELLED: true,
};
const ALL_STATUSES = Object.keys(KNOWN_STATUSES) as JobStatus[];

// `ModelJobStatusInput` offers only eq/ne, and a fresh record has no status at all. "Not one of
// the others" is true for a missing attribute (DynamoDB's `=` is false on it), so it covers both.
const statusIsNoneOf = (statuses: JobStatus[]) => ({
  not: { or: statuses.map((status) => ({ status: { eq: status } })) },
});

const ACTIVE_FILTER = statusIsNoneOf([...TERMINAL_JOB_STATUSES]);

// The worker never stores null: Amplify's update resolver REMOVEs attributes set to null, so
// "absent" is attribute_not_exists (the AppSync simulator also lacks `attributeType`).
const absent = (field: string) => ({ [field]: { attributeExists: false } });

/** The `ModelJobConditionInput` for an expectation. */
export const toCondition = (expected: JobExpectation): Record<string, unknown> => {
  const parts: Record<string, unknown>[] = [
    expected.status === 'QUEUED'
      ? statusIsNoneOf(ALL_STATUSES.filter((status) => status !== 'QUEUED'))
      : { status: { eq: expected.status } },
  ];
  for (const field of ['renderId', 'startedAt'] as const) {
    const value = expected[field];
    if (value === undefined) continue;
    parts.push(value === null ? absent(field) : { [field]: { eq: value } });
  }
  if (expected.cancelNotRequested)
    parts.push({ or: [absent('cancelRequested'), { cancelRequested: { eq: false } }] });
  return { and: parts };
};

/** A Job item as AppSync or DynamoDB returns it. */
export interface JobItem {
  id: string;
  owner?: string | null;
  status?: string | null;
  createdAt?: string | null;
  [field: string]: unknown;
}

const isJobStatus = (value: unknown): value is JobStatus =>
  typeof value === 'string' && value in KNOWN_STATUSES;

/** A Job item as the worker sees it (AWSJSON `inputProps` parsed when it came as text). */
export const toJobRecord = (item: JobItem): JobRecord => {
  const inputProps =
    typeof item.inputProps === 'string'
      ? (JSON.parse(item.inputProps) as unknown)
      : item.inputProps;
  return {
    ...(item as Partial<JobRecord>),
    id: item.id,
    owner: item.owner ?? '',
    compositionId: String(item.compositionId ?? ''),
    inputProps,
    // A freshly created record has no status yet: it is QUEUED.
    status: isJobStatus(item.status) ? item.status : 'QUEUED',
    cancelRequested: item.cancelRequested === true,
    attempts: typeof item.attempts === 'number' ? item.attempts : 0,
  };
};

export const isConditionFailure = (error: unknown) =>
  error instanceof AppSyncRequestError &&
  /ConditionalCheckFailed/.test(error.errorType ?? error.message);

/** One page of a listing, whichever query field it came from. */
type Page<T> = { items: (T | null)[]; nextToken?: string | null };

/** The fields the render cap counts a job by. */
export const toActiveJob = (item: JobItem): ActiveJob => ({
  id: item.id,
  owner: item.owner ?? '',
  status: item.status === 'RENDERING' ? 'RENDERING' : 'QUEUED',
  createdAt: item.createdAt ?? null,
});

const toActiveJobDetails = (item: JobItem): ActiveJobDetails => ({
  ...toActiveJob(item),
  cancelRequested: item.cancelRequested === true,
  renderId: (item.renderId as string | null | undefined) ?? null,
  startedAt: (item.startedAt as string | null | undefined) ?? null,
  queueCheckedAt: (item.queueCheckedAt as string | null | undefined) ?? null,
  updatedAt: (item.updatedAt as string | null | undefined) ?? null,
  batchId: (item.batchId as string | null | undefined) ?? null,
  rowOwner: (item.rowOwner as string | null | undefined) ?? null,
  attempts: typeof item.attempts === 'number' ? item.attempts : null,
});

interface SlotItem {
  jobOwner: string;
  slot: number;
  jobId: string;
  createdAt?: string | null;
}

/** The Job table over AppSync: every write is a conditional `updateJob` that selects `owner`. */
export const createAppSyncJobStore = (send: GraphqlTransport): JobStore => {
  // Pages through one listing until it ends.
  const listPages = async <T>(
    query: string,
    field: string,
    variables: Record<string, unknown>,
  ): Promise<T[]> => {
    const items: T[] = [];
    let nextToken: string | null | undefined = null;
    do {
      const data = (await send(query, { ...variables, nextToken })) as Record<
        string,
        Page<T> | null | undefined
      >;
      const page = data[field];
      if (!page) throw new Error(`AppSync returned no "${field}" field`);
      items.push(...page.items.filter((item): item is T => item !== null));
      nextToken = page.nextToken;
    } while (nextToken);
    return items;
  };
  const slotVariables = ({ jobOwner, slot }: Pick<RenderSlot, 'jobOwner' | 'slot'>) => ({
    jobOwner,
    slot,
  });
  return {
    async get(jobId) {
      const data = (await send(GET_JOB, { id: jobId })) as { getJob: JobItem | null };
      return data.getJob ? toJobRecord(data.getJob) : null;
    },
    async update(jobId, expected, patch: JobPatch) {
      let data: { updateJob?: JobItem | null };
      try {
        data = (await send(UPDATE_JOB, {
          input: { id: jobId, ...patch },
          condition: toCondition(expected),
        })) as { updateJob?: JobItem | null };
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
      // No item and no error means the write did not happen (seen with unsupported conditions).
      if (!data.updateJob) throw new Error(`AppSync returned no job from updateJob for ${jobId}`);
      return true;
    },
    // A scan with a filter: it reads the whole table, so only start-up recovery and the reconciler use it.
    listActiveJobs: async () =>
      (
        await listPages<JobItem>(LIST_ACTIVE, 'listJobs', { filter: ACTIVE_FILTER, limit: 1000 })
      ).map(toActiveJobDetails),
    // Records with no status yet are not in the status index, but they are not rendering either.
    listRenderingJobs: async () =>
      (
        await listPages<JobItem>(LIST_RENDERING, 'listJobsByStatusAndCreatedAt', { limit: 1000 })
      ).map(toActiveJob),
    // Rows in retry backoff are dropped after the read: a few pages at most, so a long backoff costs a bounded read.
    async listWaitingRowIds(rowOwner, max) {
      const ids: string[] = [];
      let nextToken: string | null | undefined = null;
      for (let page = 0; page < WAITING_MAX_PAGES && ids.length < max; page += 1) {
        const data = (await send(LIST_WAITING_ROWS, {
          rowOwner,
          // Each item costs the read (and the simulator its templates): no more than asked, nor a tiny page.
          limit: Math.min(WAITING_PAGE_SIZE, Math.max(max, 10)),
          nextToken,
        })) as {
          listJobsByRowOwnerAndStatus?: Page<{ id: string; attempts?: number | null }> | null;
        };
        const found = data.listJobsByRowOwnerAndStatus;
        if (!found) throw new Error('AppSync returned no "listJobsByRowOwnerAndStatus" field');
        ids.push(
          ...found.items.flatMap((item) =>
            // A row that has tried to start (attempts) waits out its own backoff; only waiting ones are woken.
            item && !((item.attempts ?? 0) > 0) ? [item.id] : [],
          ),
        );
        nextToken = found.nextToken;
        if (!nextToken) break;
      }
      return ids.slice(0, max);
    },
    async listRenderSlots(jobOwner) {
      const items = await listPages<SlotItem>(LIST_SLOTS, 'listRenderSlots', {
        jobOwner: jobOwner ?? null,
        limit: 1000,
      });
      return items.map(({ jobOwner: owner, slot, jobId, createdAt }) => ({
        jobOwner: owner,
        slot,
        jobId,
        createdAt: createdAt ?? null,
      }));
    },
    async createRenderSlot(slot) {
      try {
        // Amplify's create resolver writes only if no item has this key: the slot is taken at most once.
        await send(CREATE_SLOT, { input: { ...slotVariables(slot), jobId: slot.jobId } });
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    async deleteRenderSlot(slot) {
      try {
        const data = (await send(DELETE_SLOT, {
          input: slotVariables(slot),
          condition: { jobId: { eq: slot.jobId } },
        })) as { deleteRenderSlot?: SlotItem | null };
        return Boolean(data.deleteRenderSlot);
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
  };
};

interface GraphqlResultLike {
  data?: unknown;
  errors?: { message?: string; errorType?: string }[];
}

const toAppSyncError = (result: GraphqlResultLike): AppSyncRequestError => {
  const first = result.errors?.[0];
  const message = (result.errors ?? [])
    .map((error) => `${error.errorType ?? 'Error'}: ${error.message ?? ''}`)
    .join('; ');
  return new AppSyncRequestError(
    first?.errorType,
    message || 'AppSync returned errors without a message',
  );
};

/** Adapts an Amplify data client (`client.graphql`) into a transport; Amplify rejects with `{ data, errors }`. */
export const createAmplifyGraphqlTransport = (client: {
  graphql: (options: { query: string; variables: Record<string, unknown> }) => unknown;
}): GraphqlTransport => {
  return async (query, variables) => {
    let result: GraphqlResultLike;
    try {
      result = (await client.graphql({ query, variables })) as GraphqlResultLike;
    } catch (error) {
      if (
        typeof error === 'object' &&
        error !== null &&
        Array.isArray((error as GraphqlResultLike).errors)
      ) {
        throw toAppSyncError(error as GraphqlResultLike);
      }
      throw error;
    }
    if (result.errors?.length) throw toAppSyncError(result);
    return result.data;
  };
};

/** The Lambda environment Amplify reads its data client settings from. */
export type DataClientEnv = Parameters<typeof getAmplifyDataClientConfig>[0];

const createIamClient = () =>
  generateClient<Schema>({ authMode: 'iam' }) as unknown as Parameters<
    typeof createAmplifyGraphqlTransport
  >[0];

/** The cloud store: the Amplify data client configured from the function's environment (IAM). */
export const createJobStoreFromFunctionEnv = async (env: DataClientEnv): Promise<JobStore> => {
  const { resourceConfig, libraryOptions } = await getAmplifyDataClientConfig(env);
  // The store sends its own documents (`client.graphql`), so the model introspection is not needed.
  const { endpoint, region, defaultAuthMode } = resourceConfig.API.GraphQL;
  Amplify.configure({ API: { GraphQL: { endpoint, region, defaultAuthMode } } }, libraryOptions);
  return createAppSyncJobStore(createAmplifyGraphqlTransport(createIamClient()));
};

/** AWS credentials for signing AppSync requests. */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A store for an explicit endpoint (local mode: the AppSync simulator), signing with the given credentials. */
export const createJobStoreForEndpoint = ({
  graphqlUrl,
  region,
  credentials,
}: {
  graphqlUrl: string;
  region: string;
  credentials: StaticCredentials;
}): JobStore => {
  Amplify.configure(
    { API: { GraphQL: { endpoint: graphqlUrl, region, defaultAuthMode: 'iam' } } },
    {
      Auth: {
        credentialsProvider: {
          getCredentialsAndIdentityId: async () => ({ credentials }),
          clearCredentialsAndIdentityId: () => undefined,
        },
      },
    },
  );
  return createAppSyncJobStore(createAmplifyGraphqlTransport(createIamClient()));
};
