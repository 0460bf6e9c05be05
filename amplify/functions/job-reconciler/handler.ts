import { Logger } from '@aws-lambda-powertools/logger';
import { ownerSubOf } from '../../../contract/job-contract';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import { wholeNumber } from '../render-worker/worker-config';
import {
  createJobStoreFromFunctionEnv,
  type DataClientEnv,
} from '../render-worker/appsync-job-store';
import {
  reconcileJobs,
  type ReconcileDeps,
  type ReconcileSummary,
} from '../render-worker/reconcile-jobs';
import { createSqsJobQueue } from '../render-worker/sqs-job-queue';
import { systemClock } from '../render-worker/system-clock';
import { toReconcilerLogLine } from './reconciler-metric';

const envSchema = z.object({
  RENDER_QUEUE_URL: z.url({ error: 'the URL of the render SQS queue' }),
  // The per-user limit, as the worker has it (its default when unset).
  MAX_ACTIVE_JOBS_PER_USER: wholeNumber(1, 100).default(3),
});

/** Reads the reconciler's environment; throws naming what was expected and what came. */
export const parseReconcilerEnv = (env: Record<string, string | undefined>) =>
  readEnv(envSchema, env, { what: "The job reconciler's environment", fix: FUNCTION_ENV_FIX });

// Read once, at cold start: a misconfigured function fails loudly, naming the variable.
const env = parseReconcilerEnv(process.env);

// The store reads its settings over the network: a failed read is retried by the next invocation.
let ready: Promise<Omit<ReconcileDeps, 'clock'>> | undefined;
const prepare = () => {
  ready ??= createJobStoreFromFunctionEnv(process.env as DataClientEnv).then((store) => ({
    store,
    queue: createSqsJobQueue({ client: new SQSClient({}), queueUrl: env.RENDER_QUEUE_URL }),
  }));
  ready.catch(() => (ready = undefined));
  return ready;
};
prepare().catch(() => undefined);

const logger = new Logger({ serviceName: 'job-reconciler' });

/** Scheduled entry (EventBridge, every 5 minutes): one run, its summary logged as a metric line. */
export const handler = async (): Promise<ReconcileSummary> => {
  let summary: ReconcileSummary;
  try {
    summary = await reconcileJobs({
      ...(await prepare()),
      clock: systemClock,
      settings: { rowsWokenPerOwner: env.MAX_ACTIVE_JOBS_PER_USER },
    });
  } catch (error) {
    logger.error('reconcile run failed; the next run tries again', { error });
    throw error;
  }
  // One line per job it acted on, with the job's id (and owner, where the slot names it), for the job's trail.
  for (const [reason, jobIds] of Object.entries(summary.requeued))
    for (const jobId of jobIds) logger.info('job re-enqueued', { jobId, reason });
  for (const jobId of summary.wokenRows) logger.info('waiting batch row woken', { jobId });
  for (const slot of summary.freedSlots)
    logger.info('render slot freed', { jobId: slot.jobId, ownerSub: ownerSubOf(slot.jobOwner) });
  // A failure names a job by its id, or a slot as `<owner>#<slot>`.
  for (const failure of summary.errors)
    logger.warn('could not reconcile', {
      ...(failure.id.includes('#') ? { slot: failure.id } : { jobId: failure.id }),
      reason: failure.message,
    });
  console.log(
    toReconcilerLogLine(
      summary,
      process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'job-reconciler',
      Date.now(),
    ),
  );
  return summary;
};
