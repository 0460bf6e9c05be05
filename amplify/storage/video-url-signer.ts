import { SecretValue, type Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { AccessKey, PolicyStatement, User } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { PipelineConfig } from '../render-pipeline/config';

/**
 * The identity that signs video URLs: an IAM user allowed only `s3:GetObject` on the finished
 * videos, whose access key CloudFormation writes straight into Secrets Manager.
 *
 * Why not the Lambda role: its session credentials expire (often within the hour) and take every
 * URL they signed with them. Why not CloudFront signed URLs: they need an RSA key pair that
 * CloudFormation cannot generate (a custom resource or a key in the repo) plus a distribution;
 * an IAM user's SigV4 URL lives up to 7 days with nothing else deployed. Rotate by replacing the key.
 */
export const createVideoUrlSigner = (
  stack: Stack,
  { outputBucket, config }: { outputBucket: IBucket; config: PipelineConfig },
): Secret => {
  const user = new User(stack, 'VideoUrlSigner');
  user.addToPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [outputBucket.arnForObjects(`${config.outputPrefix}*`)],
    }),
  );
  const key = new AccessKey(stack, 'VideoUrlSignerKey', { user });
  return new Secret(stack, 'VideoUrlSignerSecret', {
    description:
      'Access key of the IAM user that signs render-output URLs (GetObject on renders/ only).',
    secretObjectValue: {
      accessKeyId: SecretValue.unsafePlainText(key.accessKeyId),
      secretAccessKey: key.secretAccessKey,
    },
  });
};

/** An Amplify function resource: its Lambda and its environment setter. */
interface AmplifyFunctionResource {
  resources: { lambda: IFunction };
  addEnvironment: (name: string, value: string) => void;
}

/** Gives the video-url function its environment and exactly the reads it needs. */
export const configureVideoUrlFunction = (
  fn: AmplifyFunctionResource,
  {
    jobTable,
    outputBucket,
    signerSecret,
    config,
  }: { jobTable: ITable; outputBucket: IBucket; signerSecret: Secret; config: PipelineConfig },
): void => {
  fn.addEnvironment('JOB_TABLE_NAME', jobTable.tableName);
  fn.addEnvironment('OUTPUT_BUCKET_NAME', outputBucket.bucketName);
  fn.addEnvironment('VIDEO_URL_SIGNER_SECRET_ARN', signerSecret.secretArn);
  fn.addEnvironment('VIDEO_URL_TTL_SECONDS', String(config.videoUrlTtlSeconds));
  fn.resources.lambda.addToRolePolicy(
    new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [jobTable.tableArn] }),
  );
  signerSecret.grantRead(fn.resources.lambda);
};
