import { a } from '@aws-amplify/backend';
import { BATCH_STATUSES } from '../../contract/batch-contract';
import { batches } from '../functions/batches/resource';

// Every batch mutation is resolved by the batches function, which checks the caller owns the batch.
const handledByBatches = a.handler.function(batches);

/**
 * Batches: one video per row of a file (docs/architecture.md, "Batches"). Spread into the schema in
 * `amplify/data/resource.ts`; the Job fields and index below go into the Job model there.
 */
export const batchSchema = {
  BatchStatus: a.enum([...BATCH_STATUSES]),
  // Every field is server-owned: the owner reads and subscribes; only the batch functions (IAM) write.
  Batch: a
    .model({
      owner: a.string(),
      compositionId: a.string().required(),
      title: a.string(),
      status: a.ref('BatchStatus').required(),
      rowCount: a.integer().required(),
      addedRows: a.integer().required(),
      queued: a.integer().required(),
      rendering: a.integer().required(),
      succeeded: a.integer().required(),
      failed: a.integer().required(),
      cancelled: a.integer().required(),
      /** 0–1: rows that ended, any way, over rowCount. */
      progress: a.float().required(),
      costUsd: a.float().required(),
      metadata: a.json(),
      clientToken: a.string().required(),
      createdAt: a.datetime(),
      updatedAt: a.datetime(),
      finishedAt: a.datetime(),
    })
    .secondaryIndexes((index) => [
      index('owner').sortKeys(['createdAt']).queryField('listBatchesByOwnerAndCreatedAt'),
    ])
    // `createBatch` is the custom mutation below (the function puts the record itself); nothing deletes a batch.
    .disableOperations(['create', 'delete'])
    .authorization((allow) => [allow.owner().to(['read'])]),
  BatchRowsAdded: a.customType({
    batchId: a.id().required(),
    added: a.integer().required(),
    alreadyPresent: a.integer().required(),
    addedRows: a.integer().required(),
    status: a.ref('BatchStatus').required(),
  }),
  createBatch: a
    .mutation()
    .arguments({
      clientToken: a.string().required(),
      compositionId: a.string().required(),
      rowCount: a.integer().required(),
      title: a.string(),
      metadata: a.json(),
    })
    .returns(a.ref('Batch'))
    .handler(handledByBatches)
    .authorization((allow) => [allow.authenticated()]),
  addBatchRows: a
    .mutation()
    .arguments({
      batchId: a.id().required(),
      firstRowIndex: a.integer().required(),
      rows: a.json().required(),
    })
    .returns(a.ref('BatchRowsAdded'))
    .handler(handledByBatches)
    .authorization((allow) => [allow.authenticated()]),
  cancelBatch: a
    .mutation()
    .arguments({ batchId: a.id().required() })
    .returns(a.ref('Batch'))
    .handler(handledByBatches)
    .authorization((allow) => [allow.authenticated()]),
  retryBatchRows: a
    .mutation()
    .arguments({ batchId: a.id().required(), rowIndexes: a.integer().required().array() })
    .returns(a.ref('Batch'))
    .handler(handledByBatches)
    .authorization((allow) => [allow.authenticated()]),
};

/** The Job fields a batch row carries: server-owned, read by the owner. */
export const batchJobFields = {
  batchId: a.id().authorization((allow) => [allow.owner().to(['read'])]),
  rowIndex: a.integer().authorization((allow) => [allow.owner().to(['read'])]),
  /**
   * The owner as stored (`<sub>::<username>`), on batch rows only: the key a freed render slot finds the owner's rows
   * waiting in the table by (the index below). Reads answer `owner` itself shortened, so it is kept verbatim here.
   */
  rowOwner: a.string().authorization((allow) => [allow.owner().to(['read'])]),
};
