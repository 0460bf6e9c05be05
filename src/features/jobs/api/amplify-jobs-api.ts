import { CONNECTION_STATE_CHANGE, ConnectionState } from 'aws-amplify/api';
import { generateClient } from 'aws-amplify/data';
import { Hub } from 'aws-amplify/utils';
import type { Schema } from '../../../../amplify/data/resource';
import { JOB_SELECTION_SET, type ConnectionHealth, type Job, type JobsApi } from './jobs-api';
import { dataOf } from '../../../lib/graphql-result';
import { readOwner } from '../../../lib/read-owner';
import { parseBatchJobId } from '../../../../contract/batch-contract';

type DataClient = ReturnType<typeof generateClient<Schema>>;

// `Connecting` counts only after a first connection; before that it is the normal start.
const DISRUPTED = new Set<string>([
  ConnectionState.ConnectionDisrupted,
  ConnectionState.ConnectionDisruptedPendingNetwork,
  ConnectionState.ConnectedPendingNetwork,
  ConnectionState.Connecting,
]);

/** Owner-index items read per request, and requests per page at most, when batch rows are skipped. */
const LIST_READ_SIZE = 100;
const LIST_MAX_READS = 20;

/** {@link JobsApi} over the Amplify data client (AppSync in the cloud, the simulator in local mode). */
export function createAmplifyJobsApi(
  client: DataClient = generateClient<Schema>(),
  owner: () => Promise<string> = readOwner,
): JobsApi {
  return {
    // Single renders only: batch rows show on their batch card. A read past a batch's rows may bring none: the
    // cursor is followed until a page has `limit` jobs, or after a bounded number of reads the cursor is handed
    // back (Load more goes on from there).
    async listJobs({ limit, nextToken }) {
      const jobs: Job[] = [];
      let cursor = nextToken ?? null;
      for (let read = 0; read < LIST_MAX_READS; read += 1) {
        const result = await client.models.Job.listJobsByOwnerAndCreatedAt(
          { owner: await owner() },
          {
            sortDirection: 'DESC',
            limit: Math.max(limit, LIST_READ_SIZE),
            nextToken: cursor,
            selectionSet: JOB_SELECTION_SET,
          },
        );
        // Dropped here, not by a filter: the simulator's `attributeExists` filter is refused by DynamoDB.
        const page = dataOf(result, 'Listing jobs') as Job[];
        jobs.push(...page.filter((job) => parseBatchJobId(job.id) === undefined));
        cursor = result.nextToken ?? null;
        if (!cursor || jobs.length >= limit) break;
      }
      return { jobs, nextToken: cursor };
    },
    async createJob({ compositionId, inputProps, title, outputFormat, scale, metadata }) {
      // a.json() fields travel as AWSJSON: a JSON string.
      const result = await client.models.Job.create({
        compositionId,
        inputProps: JSON.stringify(inputProps),
        title,
        ...(outputFormat === undefined ? {} : { outputFormat }),
        ...(scale === undefined ? {} : { scale }),
        ...(metadata === undefined ? {} : { metadata: JSON.stringify(metadata) }),
      });
      return dataOf(result, 'Creating the job') as Job;
    },
    async requestCancel(jobId) {
      return dataOf(
        await client.models.Job.update({ id: jobId, cancelRequested: true }),
        'Cancelling',
      ) as Job;
    },
    async getVideoUrl(jobId) {
      return dataOf(await client.queries.getJobVideoUrl({ jobId }), 'Getting the video URL');
    },
    async removeJob(jobId) {
      dataOf(await client.mutations.removeJob({ jobId }), 'Deleting the job');
    },
    subscribe({ onJob, onError }) {
      const observer = {
        next: (job: Job) => onJob(job),
        error: (error: unknown) => onError(toError(error)),
      };
      const subscriptions = [
        client.models.Job.onCreate({ selectionSet: JOB_SELECTION_SET }).subscribe(observer),
        client.models.Job.onUpdate({ selectionSet: JOB_SELECTION_SET }).subscribe(observer),
      ];
      return () => subscriptions.forEach((subscription) => subscription.unsubscribe());
    },
    watchConnection(listener) {
      let last: ConnectionHealth = 'connected';
      let wasConnected = false;
      return Hub.listen('api', ({ payload }) => {
        if (payload.event !== CONNECTION_STATE_CHANGE) return;
        const state =
          (payload.data as { connectionState?: string } | undefined)?.connectionState ?? '';
        if (state === ConnectionState.Connected) wasConnected = true;
        if (!wasConnected) return;
        const health: ConnectionHealth = DISRUPTED.has(state) ? 'reconnecting' : 'connected';
        if (health !== last) listener((last = health));
      });
    },
  };
}

function toError(error: unknown): Error {
  if (error instanceof Error) return error;
  const errors = (error as { errors?: { message?: string }[] } | undefined)?.errors;
  return new Error(errors?.map((e) => e.message).join('; ') || 'The realtime connection failed.');
}
