import { Logger } from '@aws-lambda-powertools/logger';
import type { AppSyncIdentityCognito, AppSyncResolverEvent } from 'aws-lambda';
import { z } from 'zod';
import { FUNCTION_ENV_FIX, readEnv } from '../../read-env';
import {
  createVideoUrl,
  VideoUrlError,
  type VideoUrl,
  type VideoUrlPorts,
} from './create-video-url';
import { createDynamoJobLoader } from './dynamo-job-loader';
import { createS3UrlSigner } from './s3-url-signer';

/** The resolver event of `getJobVideoUrl(jobId: ID!)`. */
export type VideoUrlEvent = Pick<AppSyncResolverEvent<{ jobId: string }>, 'arguments' | 'identity'>;

/** The caller's Cognito sub, if the request came from a user pool user. */
const callerOf = (event: VideoUrlEvent) => {
  const identity = event.identity as Partial<AppSyncIdentityCognito> | null | undefined;
  return identity?.sub ? { sub: identity.sub } : undefined;
};

/** Builds the resolver over any ports: the Lambda uses AWS ones, local mode its own signer. */
export const createVideoUrlHandler =
  (ports: VideoUrlPorts) =>
  async (event: VideoUrlEvent): Promise<VideoUrl> =>
    await createVideoUrl({ jobId: event.arguments.jobId, caller: callerOf(event) }, ports);

const envSchema = z.object({
  JOB_TABLE_NAME: z.string().min(1, { error: 'JOB_TABLE_NAME must name the Job table' }),
  OUTPUT_BUCKET_NAME: z
    .string()
    .min(1, { error: 'OUTPUT_BUCKET_NAME must name the output bucket' }),
  VIDEO_URL_SIGNER_SECRET_ARN: z
    .string()
    .startsWith('arn:', { error: 'VIDEO_URL_SIGNER_SECRET_ARN must be a Secrets Manager ARN' }),
  VIDEO_URL_TTL_SECONDS: z.coerce.number().int().min(3600).default(7200),
  AWS_REGION: z.string().min(1, { error: 'AWS_REGION must be set (Lambda sets it)' }),
});

let awsHandler: ReturnType<typeof createVideoUrlHandler> | undefined;
const logger = new Logger({ serviceName: 'video-url' });

// Ports from the environment, built on first use.
const signVideoUrl = async (event: VideoUrlEvent): Promise<VideoUrl> => {
  if (!awsHandler) {
    const env = readEnv(envSchema, process.env, {
      what: "The video-url function's environment",
      fix: FUNCTION_ENV_FIX,
    });
    awsHandler = createVideoUrlHandler({
      loadJob: createDynamoJobLoader({ tableName: env.JOB_TABLE_NAME }),
      signUrl: createS3UrlSigner({
        bucket: env.OUTPUT_BUCKET_NAME,
        region: env.AWS_REGION,
        secretArn: env.VIDEO_URL_SIGNER_SECRET_ARN,
      }),
      now: () => new Date(),
      lifetimeSeconds: env.VIDEO_URL_TTL_SECONDS,
    });
  }
  return await awsHandler(event);
};

/** The Lambda entry: one JSON log line per request (the caller is the job's owner whenever a URL is signed). */
export const handler = async (event: VideoUrlEvent): Promise<VideoUrl> => {
  const fields = { jobId: event.arguments.jobId, ownerSub: callerOf(event)?.sub };
  try {
    const videoUrl = await signVideoUrl(event);
    logger.info('video URL signed', { ...fields, expiresAt: videoUrl.expiresAt });
    return videoUrl;
  } catch (error) {
    // A refusal is the caller's (no such job, not ready); anything else is ours to look at.
    if (error instanceof VideoUrlError)
      logger.warn('video URL refused', { ...fields, code: error.code, reason: error.message });
    else logger.error('video URL failed', { ...fields, error });
    throw error;
  }
};
