import { Duration } from 'aws-cdk-lib';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import type { PipelineConfig } from '../render-pipeline/config';

/**
 * Remotion's render state (progress files, chunks, the cancel signal) is needed only while a render runs; it is
 * kept a week for debugging, or less when the outputs themselves are kept less.
 */
export const RENDER_STATE_MAX_DAYS = 7;

/** Days Remotion's render state is kept under a retention of `outputRetentionDays`. */
export const renderStateDaysOf = (outputRetentionDays: number): number =>
  Math.min(RENDER_STATE_MAX_DAYS, outputRetentionDays);

/**
 * The cloud half of retention (docs/architecture.md, "Outputs"): S3 deletes every finished video and poster under
 * the output prefix `OUTPUT_RETENTION_DAYS` after it was written, which is when the job's `expiresAt` says (S3
 * rounds to the next midnight UTC, so an object may outlive `expiresAt` by up to a day, never fall short of it).
 * Remotion's render state goes sooner. Multipart uploads a render abandoned are cleaned after a day.
 */
export const expireRenderOutputs = (
  { outputBucket, remotionBucket }: { outputBucket: IBucket; remotionBucket: IBucket },
  config: Pick<PipelineConfig, 'outputPrefix' | 'outputRetentionDays'>,
): void => {
  for (const [bucket, what] of [
    [outputBucket, 'output'],
    [remotionBucket, 'Remotion'],
  ] as const) {
    if (!(bucket instanceof Bucket)) {
      throw new Error(
        `The ${what} bucket must be an S3 Bucket construct of this app to take lifecycle rules, but got ${bucket.constructor.name}.`,
      );
    }
  }
  (outputBucket as Bucket).addLifecycleRule({
    id: 'ExpireRenderOutputs',
    prefix: config.outputPrefix,
    expiration: Duration.days(config.outputRetentionDays),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  });
  (remotionBucket as Bucket).addLifecycleRule({
    id: 'ExpireRenderState',
    prefix: 'renders/',
    expiration: Duration.days(renderStateDaysOf(config.outputRetentionDays)),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
  });
};
