import { Logger } from '@aws-lambda-powertools/logger';
import type { AppSyncIdentityCognito, AppSyncResolverEvent } from 'aws-lambda';
import { z } from 'zod';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import { createDynamoJobRecords } from './dynamo-job-records';
import { removeJob, RemoveJobError, type RemovedJob, type RemoveJobPorts } from './remove-job';
import { createS3RenderObjects } from './s3-render-objects';

/** The resolver event of `removeJob(jobId: ID!)`. */
export type RemoveJobEvent = Pick<
  AppSyncResolverEvent<{ jobId: string }>,
  'arguments' | 'identity'
>;

/** The caller's Cognito sub, if the request came from a user pool user. */
const callerOf = (event: RemoveJobEvent) => {
  const identity = event.identity as Partial<AppSyncIdentityCognito> | null | undefined;
  return identity?.sub ? { sub: identity.sub } : undefined;
};

/** Builds the resolver over any ports: the Lambda uses AWS ones, local mode DynamoDB Local and files. */
export const createRemoveJobHandler =
  (ports: RemoveJobPorts) =>
  async (event: RemoveJobEvent): Promise<RemovedJob> =>
    await removeJob(
      { jobId: String(event.arguments?.jobId ?? ''), caller: callerOf(event) },
      ports,
    );

const envSchema = z.object({
  JOB_TABLE_NAME: z.string().min(1, { error: 'JOB_TABLE_NAME must name the Job table' }),
  OUTPUT_BUCKET_NAME: z
    .string()
    .min(1, { error: 'OUTPUT_BUCKET_NAME must name the output bucket' }),
  OUTPUT_PREFIX: z
    .string()
    .endsWith('/', { error: 'OUTPUT_PREFIX must be a key prefix ending in "/"' }),
  REMOTION_BUCKET_NAME: z
    .string()
    .min(1, { error: "REMOTION_BUCKET_NAME must name Remotion's bucket (render state)" }),
});

const logger = new Logger({ serviceName: 'remove-job' });
let awsHandler: ReturnType<typeof createRemoveJobHandler> | undefined;

const buildHandler = () => {
  const env = readEnv(envSchema, process.env, {
    what: "The remove-job function's environment",
    fix: FUNCTION_ENV_FIX,
  });
  return createRemoveJobHandler({
    ...createDynamoJobRecords({ tableName: env.JOB_TABLE_NAME }),
    ...createS3RenderObjects({
      outputBucket: env.OUTPUT_BUCKET_NAME,
      remotionBucket: env.REMOTION_BUCKET_NAME,
    }),
    outputPrefix: env.OUTPUT_PREFIX,
    now: () => new Date(),
    sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
  });
};

/** The Lambda entry: one JSON log line per request. */
export const handler = async (event: RemoveJobEvent): Promise<RemovedJob> => {
  const fields = { jobId: event.arguments?.jobId, ownerSub: callerOf(event)?.sub };
  try {
    awsHandler ??= buildHandler();
    const removed = await awsHandler(event);
    logger.info('job removed', { ...fields, cancelledFirst: removed.cancelledFirst });
    return removed;
  } catch (error) {
    // A refusal is the caller's (no such job, still stopping); anything else is ours to look at.
    if (error instanceof RemoveJobError)
      logger.warn('job removal refused', { ...fields, code: error.code, reason: error.message });
    else logger.error('job removal failed', { ...fields, error });
    throw error;
  }
};
