import { a, defineData, type ClientSchema } from '@aws-amplify/backend';
import { jobReconciler } from '../functions/job-reconciler/resource';
import { batches, batchProgress } from '../functions/batches/resource';
import { operations } from '../functions/operations/resource';
import { jobRemover } from '../functions/remove-job/resource';
import { renderWorker } from '../functions/render-worker/resource';
import { videoUrl } from '../functions/video-url/resource';
import { JOB_STATUSES } from '../../contract/job-contract';
import { batchJobFields, batchSchema } from './batch-schema';
import { operationsSchema } from './operations-schema';
import { webhookSchema } from './webhook-schema';

export const schema = a
  .schema({
    JobStatus: a.enum([...JOB_STATUSES]),
    Job: a
      .model({
        // Input fields: set by the owner on create, never changed afterwards.
        compositionId: a
          .string()
          .required()
          .authorization((allow) => [allow.owner().to(['create', 'read'])]),
        inputProps: a
          .json()
          .required()
          .authorization((allow) => [allow.owner().to(['create', 'read'])]),
        title: a.string().authorization((allow) => [allow.owner().to(['create', 'read'])]),
        // Output format and scale (contract/output-formats.ts), checked again by the worker; absent: MP4 at 1×.
        outputFormat: a.string().authorization((allow) => [allow.owner().to(['create', 'read'])]),
        scale: a.float().authorization((allow) => [allow.owner().to(['create', 'read'])]),
        // Echoed in the job's webhook events: a JSON object of at most 2 KB (contract/webhook-contract.ts).
        metadata: a.json().authorization((allow) => [allow.owner().to(['create', 'read'])]),
        // The one field an owner may change after create.
        cancelRequested: a.boolean(),
        // Server-owned fields: the owner reads them; only the render worker (IAM) writes them.
        status: a.ref('JobStatus').authorization((allow) => [allow.owner().to(['read'])]),
        progress: a.float().authorization((allow) => [allow.owner().to(['read'])]),
        renderedFrames: a.integer().authorization((allow) => [allow.owner().to(['read'])]),
        totalFrames: a.integer().authorization((allow) => [allow.owner().to(['read'])]),
        etaSeconds: a.float().authorization((allow) => [allow.owner().to(['read'])]),
        renderId: a.string().authorization((allow) => [allow.owner().to(['read'])]),
        outputBucket: a.string().authorization((allow) => [allow.owner().to(['read'])]),
        outputKey: a.string().authorization((allow) => [allow.owner().to(['read'])]),
        outputSizeBytes: a.integer().authorization((allow) => [allow.owner().to(['read'])]),
        errorMessage: a.string().authorization((allow) => [allow.owner().to(['read'])]),
        costUsd: a.float().authorization((allow) => [allow.owner().to(['read'])]),
        attempts: a.integer().authorization((allow) => [allow.owner().to(['read'])]),
        startedAt: a.datetime().authorization((allow) => [allow.owner().to(['read'])]),
        finishedAt: a.datetime().authorization((allow) => [allow.owner().to(['read'])]),
        // When a delivery last saw the job waiting QUEUED: the reconciler re-enqueues a job unseen for too long.
        queueCheckedAt: a.datetime().authorization((allow) => [allow.owner().to(['read'])]),
        // The poster beside the output, and when the outputs expire (docs/architecture.md, "Outputs").
        posterKey: a.string().authorization((allow) => [allow.owner().to(['read'])]),
        expiresAt: a.datetime().authorization((allow) => [allow.owner().to(['read'])]),
        expiredAt: a.datetime().authorization((allow) => [allow.owner().to(['read'])]),
        createdAt: a.datetime().authorization((allow) => [allow.owner().to(['read'])]),
        updatedAt: a.datetime().authorization((allow) => [allow.owner().to(['read'])]),
        owner: a.string().authorization((allow) => [allow.owner().to(['read'])]),
        // A batch row's batch and index (docs/architecture.md, "Batches").
        ...batchJobFields,
      })
      .secondaryIndexes((index) => [
        index('owner').sortKeys(['createdAt']).queryField('listJobsByOwnerAndCreatedAt'),
        // The worker counts renders in flight from this index, so the count costs the cap, not the table.
        index('status').sortKeys(['createdAt']).queryField('listJobsByStatusAndCreatedAt'),
        // A batch's rows in row order, for the batch card and the batch functions.
        index('batchId').sortKeys(['rowIndex']).queryField('listJobsByBatchIdAndRowIndex'),
        // An owner's batch rows by status: the QUEUED ones wait in the table until a freed slot wakes them.
        index('rowOwner').sortKeys(['status']).queryField('listJobsByRowOwnerAndStatus'),
      ])
      .authorization((allow) => [allow.owner().to(['create', 'read', 'update'])]),
    // The per-user limit: an owner has `maxActiveJobsPerUser` slots, a job holds one from admission to its end,
    // and a conditional create is the only way in, so racing starts cannot exceed the limit.
    RenderSlot: a
      .model({
        jobOwner: a.string().required(),
        slot: a.integer().required(),
        jobId: a.id().required(),
      })
      .identifier(['jobOwner', 'slot'])
      // No operation for any signed-in user: only IAM (the render worker and the reconciler) reaches slots.
      .authorization((allow) => [allow.authenticated().to([])]),
    // A playable URL for the caller's own finished video (checked in the function, not here).
    VideoUrl: a.customType({
      url: a.string().required(),
      expiresAt: a.datetime().required(),
      posterUrl: a.string(),
    }),
    getJobVideoUrl: a
      .query()
      .arguments({ jobId: a.id().required() })
      .returns(a.ref('VideoUrl'))
      .handler(a.handler.function(videoUrl))
      .authorization((allow) => [allow.authenticated()]),
    // The owner deletes a job with its outputs and render state, cancelling it first (checked in the function).
    RemovedJob: a.customType({
      jobId: a.id().required(),
      cancelledFirst: a.boolean().required(),
    }),
    removeJob: a
      .mutation()
      .arguments({ jobId: a.id().required() })
      .returns(a.ref('RemovedJob'))
      .handler(a.handler.function(jobRemover))
      .authorization((allow) => [allow.authenticated()]),
    // The admins' Operations view and the spend ledger (docs/architecture.md, "Operations").
    ...operationsSchema,
    // Batches: one video per row of a file (docs/architecture.md, "Batches").
    ...batchSchema,
    // Webhooks to integrators (docs/architecture.md, "Webhooks to integrators").
    ...webhookSchema,
  })
  .authorization((allow) => [
    allow.resource(renderWorker),
    allow.resource(jobReconciler),
    allow.resource(operations),
    allow.resource(batches),
    allow.resource(batchProgress),
  ]);

/** The one contract between the backend, the worker and the studio. */
export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: { defaultAuthorizationMode: 'userPool' },
});
