import type { BatchStatus } from '../../../contract/batch-contract';
import {
  JOB_FIELDS,
  isConditionFailure,
  toCondition,
  type GraphqlTransport,
} from '../render-worker/appsync-job-store';
import type { BatchRecord, BatchWrites } from './batch-ports';

// Every field, `owner` included: owner-scoped subscribers hear only what the mutation selects.
export const BATCH_FIELDS = `id owner compositionId title status rowCount addedRows queued rendering succeeded failed
  cancelled progress costUsd metadata clientToken createdAt updatedAt finishedAt`;
const UPDATE_BATCH = `mutation UpdateBatch($input: UpdateBatchInput!, $condition: ModelBatchConditionInput) {
  updateBatch(input: $input, condition: $condition) { ${BATCH_FIELDS} } }`;
const UPDATE_JOB = `mutation UpdateJob($input: UpdateJobInput!, $condition: ModelJobConditionInput) {
  updateJob(input: $input, condition: $condition) { ${JOB_FIELDS} } }`;

// Render fields a retried row starts without (null removes the attribute).
const CLEARED_RENDER_FIELDS = {
  renderId: null,
  startedAt: null,
  finishedAt: null,
  progress: null,
  renderedFrames: null,
  totalFrames: null,
  etaSeconds: null,
  errorMessage: null,
  outputBucket: null,
  outputKey: null,
  outputSizeBytes: null,
  // A retried row starts afresh: with no attempts it waits in the table like a new row, for the owner's next slot.
  attempts: null,
};

/** Batch and row writes over AppSync (IAM), so the owner's subscriptions hear them. */
export const createAppSyncBatchWrites = (send: GraphqlTransport): BatchWrites => {
  const updateJob = async (
    input: Record<string, unknown>,
    condition: Record<string, unknown>,
  ): Promise<boolean> => {
    try {
      const data = (await send(UPDATE_JOB, { input, condition })) as { updateJob?: unknown };
      if (!data.updateJob)
        throw new Error(`AppSync returned no job from updateJob for ${String(input.id)}`);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  };
  return {
    async updateBatch(batchId, patch, whenStatus: readonly BatchStatus[]) {
      try {
        const data = (await send(UPDATE_BATCH, {
          input: { id: batchId, ...patch },
          condition: { or: whenStatus.map((status) => ({ status: { eq: status } })) },
        })) as { updateBatch?: BatchRecord | null };
        return data.updateBatch ?? undefined;
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
    async cancelRow(jobId, finishedAt) {
      if (
        await updateJob(
          { id: jobId, status: 'CANCELLED', cancelRequested: true, finishedAt },
          toCondition({ status: 'QUEUED' }),
        )
      )
        return 'cancelled';
      // Rendering: asked to cancel, as the owner's own cancel asks; the worker cancels the render and ends it.
      if (
        await updateJob({ id: jobId, cancelRequested: true }, toCondition({ status: 'RENDERING' }))
      )
        return 'requested';
      return 'ended';
    },
    async requeueRow(jobId, queuedAt) {
      return updateJob(
        {
          id: jobId,
          status: 'QUEUED',
          cancelRequested: false,
          queueCheckedAt: queuedAt,
          ...CLEARED_RENDER_FIELDS,
        },
        toCondition({ status: 'FAILED' }),
      );
    },
  };
};
