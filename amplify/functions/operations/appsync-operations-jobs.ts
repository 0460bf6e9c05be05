import type { GraphqlTransport } from '../render-worker/appsync-job-store';
import type { OperationsJobs, RecentFailure } from './operations';

// Admins read only these fields: never inputProps, title or the output's location.
const FAILURE_FIELDS = 'id compositionId errorMessage attempts finishedAt';
const BY_STATUS = `query JobsByStatus($status: JobStatus!, $createdAt: ModelStringKeyConditionInput,
  $filter: ModelJobFilterInput, $sortDirection: ModelSortDirection, $limit: Int, $nextToken: String) {
  listJobsByStatusAndCreatedAt(status: $status, createdAt: $createdAt, filter: $filter, sortDirection: $sortDirection,
    limit: $limit, nextToken: $nextToken) { items { ${FAILURE_FIELDS} status } nextToken } }`;
const GET = `query GetJobForOperations($id: ID!) { getJob(id: $id) { id compositionId status errorMessage } }`;

interface Item {
  id: string;
  compositionId?: string | null;
  errorMessage?: string | null;
  attempts?: number | null;
  finishedAt?: string | null;
  status?: string | null;
}
type Page = {
  listJobsByStatusAndCreatedAt: { items: (Item | null)[]; nextToken?: string | null } | null;
};

// Jobs finished in the last hour are looked for among those created in the last day (the index's sort key).
const LOOKBACK_MS = 24 * 60 * 60 * 1000;

const toFailure = (item: Item): RecentFailure => ({
  jobId: item.id,
  compositionId: item.compositionId ?? '',
  errorMessage: item.errorMessage ?? null,
  attempts: item.attempts ?? 0,
  finishedAt: item.finishedAt ?? null,
});

/** The jobs over the data API (IAM), from the status index: the same code in the cloud and in local mode. */
export const createAppSyncOperationsJobs = (send: GraphqlTransport): OperationsJobs => {
  const list = async (
    variables: Record<string, unknown>,
    maxItems = Number.POSITIVE_INFINITY,
  ): Promise<Item[]> => {
    const items: Item[] = [];
    let nextToken: string | null | undefined = null;
    do {
      const data = (await send(BY_STATUS, { ...variables, nextToken })) as Page;
      const page = data.listJobsByStatusAndCreatedAt;
      if (!page) throw new Error('AppSync returned no "listJobsByStatusAndCreatedAt" field');
      items.push(...page.items.filter((item): item is Item => item !== null));
      nextToken = page.nextToken;
    } while (nextToken && items.length < maxItems);
    return items.slice(0, maxItems);
  };
  return {
    countRendering: async () => (await list({ status: 'RENDERING', limit: 1000 })).length,
    listRecentFailures: async (limit) =>
      (await list({ status: 'FAILED', sortDirection: 'DESC', limit }, limit)).map(toFailure),
    async countFinishedSince(sinceIso) {
      const createdAt = { ge: new Date(Date.parse(sinceIso) - LOOKBACK_MS).toISOString() };
      const filter = { finishedAt: { ge: sinceIso } };
      const counts = await Promise.all(
        (['SUCCEEDED', 'FAILED', 'CANCELLED'] as const).map(
          async (status) => (await list({ status, createdAt, filter, limit: 1000 })).length,
        ),
      );
      return { finished: counts[0]! + counts[1]! + counts[2]!, failed: counts[1]! };
    },
    async get(jobId) {
      const data = (await send(GET, { id: jobId })) as { getJob: Item | null };
      const job = data.getJob;
      return job
        ? {
            id: job.id,
            compositionId: job.compositionId ?? '',
            status: job.status ?? 'QUEUED',
            errorMessage: job.errorMessage ?? null,
          }
        : null;
    },
  };
};
