import { a } from '@aws-amplify/backend';
import { ADMINS_GROUP } from '../../contract/admins';
import { operations } from '../functions/operations/resource';

// Only the admins' group reaches the queries and mutations below; the resolver checks the caller's group again
// (operations/handler.ts).
const handledByOperations = a.handler.function(operations);

/**
 * The Operations view's API (docs/architecture.md, "Operations"): figures, recent failures and dead letters for the
 * `admins` group, and the spend ledger the worker keeps. Spread into the schema in `amplify/data/resource.ts`.
 * Admins see what failed, why and how often, never a user's props, title or video: operating the pipeline needs none.
 */
export const operationsSchema = {
  // The spend guard's ledger: budget periods, users' days and admitted jobs. IAM only, like RenderSlot.
  SpendLedger: a
    .model({
      ledgerKey: a.string().required(),
      reservedUsd: a.float().required(),
      renders: a.integer().required(),
      version: a.integer().required(),
      admittedAt: a.datetime(),
      settled: a.boolean(),
    })
    .identifier(['ledgerKey'])
    .authorization((allow) => [allow.authenticated().to([])]),
  // The dead-letter archive: one record per dead-lettered job, written by the worker once the job ended FAILED and
  // consumed (a conditional delete) by a redrive or a discard, so a listing is a plain read. IAM only.
  DeadLetterRecord: a
    .model({
      jobId: a.id().required(),
      receiveCount: a.integer().required(),
      deadLetteredAt: a.datetime().required(),
    })
    .identifier(['jobId'])
    .authorization((allow) => [allow.authenticated().to([])]),
  RecentFailure: a.customType({
    jobId: a.id().required(),
    compositionId: a.string().required(),
    errorMessage: a.string(),
    attempts: a.integer().required(),
    finishedAt: a.datetime(),
  }),
  OperationsOverview: a.customType({
    queueDepth: a.integer().required(),
    queueInFlight: a.integer().required(),
    deadLetters: a.integer().required(),
    rendersInFlight: a.integer().required(),
    renderCap: a.integer().required(),
    finishedLastHour: a.integer().required(),
    failedLastHour: a.integer().required(),
    failureRateLastHour: a.float().required(),
    spentTodayUsd: a.float().required(),
    dailyBudgetUsd: a.float().required(),
    spentThisMonthUsd: a.float().required(),
    monthlyBudgetUsd: a.float().required(),
    dailyRendersPerUser: a.integer().required(),
    recentFailures: a.ref('RecentFailure').required().array().required(),
    generatedAt: a.datetime().required(),
  }),
  DeadLetter: a.customType({
    messageId: a.string().required(),
    jobId: a.string(),
    compositionId: a.string(),
    jobStatus: a.string(),
    errorMessage: a.string(),
    receiveCount: a.integer().required(),
    sentAt: a.datetime(),
    body: a.string().required(),
  }),
  OperationResult: a.customType({ count: a.integer().required(), message: a.string().required() }),
  getOperationsOverview: a
    .query()
    .returns(a.ref('OperationsOverview'))
    .handler(handledByOperations)
    .authorization((allow) => [allow.groups([ADMINS_GROUP])]),
  listDeadLetters: a
    .query()
    .returns(a.ref('DeadLetter').required().array())
    .handler(handledByOperations)
    .authorization((allow) => [allow.groups([ADMINS_GROUP])]),
  redriveDeadLetters: a
    .mutation()
    .arguments({ messageId: a.string() })
    .returns(a.ref('OperationResult'))
    .handler(handledByOperations)
    .authorization((allow) => [allow.groups([ADMINS_GROUP])]),
  discardDeadLetter: a
    .mutation()
    .arguments({ messageId: a.string().required() })
    .returns(a.ref('OperationResult'))
    .handler(handledByOperations)
    .authorization((allow) => [allow.groups([ADMINS_GROUP])]),
  inviteUser: a
    .mutation()
    .arguments({ email: a.email().required() })
    .returns(a.ref('OperationResult'))
    .handler(handledByOperations)
    .authorization((allow) => [allow.groups([ADMINS_GROUP])]),
};
