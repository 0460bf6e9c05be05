import { Aws, CustomResource, Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, User } from 'aws-cdk-lib/aws-iam';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CfnRotationSchedule, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { SIGNER_KEY_RELOAD_SECONDS } from '../functions/video-url/signer-key';
import type { PipelineConfig } from '../render-pipeline/config';
import type { AmplifyFunctionResource } from '../functions/amplify-function-resource';

/** Days between rotations of the signer key unless the caller says otherwise. */
export const DEFAULT_SIGNER_KEY_ROTATION_DAYS = 30;

// Slack for clock skew and for the rotation's own steps, which run seconds to a minute apart.
const GRACE_MARGIN_SECONDS = 300;
const DAY_SECONDS = 86_400;

/**
 * How long a replaced signer key must keep working: a URL signed just before the video-url
 * function re-reads the secret lives `videoUrlTtlSeconds` more.
 */
export const oldKeyGraceSecondsOf = (videoUrlTtlSeconds: number): number =>
  videoUrlTtlSeconds + SIGNER_KEY_RELOAD_SECONDS + GRACE_MARGIN_SECONDS;

/**
 * Fails synthesis unless every URL outlives the key that signed it. A key is deleted by the
 * rotation after the one that replaced it, so it works for one interval after it stops being
 * current, less a day: Secrets Manager may run a daily rotation anywhere in its UTC day.
 */
export const assertRotationOutlivesUrls = ({
  rotationDays,
  videoUrlTtlSeconds,
}: {
  rotationDays: number;
  videoUrlTtlSeconds: number;
}): void => {
  const grace = oldKeyGraceSecondsOf(videoUrlTtlSeconds);
  const guaranteed = (rotationDays - 1) * DAY_SECONDS;
  if (
    Number.isInteger(rotationDays) &&
    rotationDays >= 2 &&
    rotationDays <= 1000 &&
    guaranteed >= grace
  ) {
    return;
  }
  const fewestDays = Math.max(2, Math.ceil(grace / DAY_SECONDS) + 1);
  throw new Error(
    `The video-URL signer key must rotate every ${fewestDays} to 1000 whole days, but got ${rotationDays}: ` +
      `a replaced key keeps working for one interval less a day, and URLs signed with it need ` +
      `${grace} s (VIDEO_URL_TTL_SECONDS ${videoUrlTtlSeconds} + the ${SIGNER_KEY_RELOAD_SECONDS} s key reload + ` +
      `${GRACE_MARGIN_SECONDS} s). Rotate less often, or lower VIDEO_URL_TTL_SECONDS.`,
  );
};

/**
 * The identity that signs video URLs: an IAM user allowed only `s3:GetObject` on the finished
 * videos, whose access key lives in Secrets Manager and is rotated every `rotationDays`.
 *
 * Why not the Lambda role: its session credentials expire (often within the hour) and take every
 * URL they signed with them. Why not CloudFront signed URLs: they need an RSA key pair that
 * CloudFormation cannot generate (a custom resource or a key in the repo) plus a distribution;
 * an IAM user's SigV4 URL lives up to 7 days with nothing else deployed.
 *
 * Why rotate this way: a deleted key takes its URLs with it, so a rotation only deletes the key
 * the previous rotation replaced, an interval after it stopped signing (IAM's two keys per user
 * are exactly current + replaced). `assertRotationOutlivesUrls` keeps the interval above the
 * URL lifetime; the rotation refuses an unscheduled run that would cut it short. The keys are
 * made by the rotation function only, never by CloudFormation, so a stack update can never write
 * back a key that a rotation has deleted; the first deploy rotates at once to make the first key,
 * and deleting the stack deletes the keys first (IAM refuses to delete a user that has keys).
 */
export const createVideoUrlSigner = (
  stack: Stack,
  {
    outputBucket,
    config,
    rotationFunction,
    rotationDays = DEFAULT_SIGNER_KEY_ROTATION_DAYS,
  }: {
    outputBucket: IBucket;
    config: PipelineConfig;
    /** The signer-key-rotation function (amplify/functions/signer-key-rotation), in `stack`. */
    rotationFunction: AmplifyFunctionResource;
    rotationDays?: number;
  },
): Secret => {
  assertRotationOutlivesUrls({ rotationDays, videoUrlTtlSeconds: config.videoUrlTtlSeconds });
  const rotator = rotationFunction.resources.lambda;
  if (Stack.of(rotator) !== stack) {
    throw new Error(
      `The signer-key-rotation function must be in the stack of the signer (${stack.node.path}), but is in ` +
        `${Stack.of(rotator).node.path}: the schedule and the function's policy would make the stacks depend on each other. ` +
        "Give it resourceGroupName: 'storage'.",
    );
  }

  const user = new User(stack, 'VideoUrlSigner');
  user.addToPolicy(
    new PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [outputBucket.arnForObjects(`${config.outputPrefix}*`)],
    }),
  );
  // Until the first rotation writes a key, the secret holds a generated placeholder.
  const secret = new Secret(stack, 'VideoUrlSignerSecret', {
    description:
      'Access key of the IAM user that signs render-output URLs (GetObject on renders/ only), rotated by the signer-key-rotation function.',
  });

  rotationFunction.addEnvironment('SIGNER_USER_NAME', user.userName);
  rotationFunction.addEnvironment(
    'OLD_KEY_GRACE_SECONDS',
    String(oldKeyGraceSecondsOf(config.videoUrlTtlSeconds)),
  );
  rotator.addToRolePolicy(
    new PolicyStatement({
      actions: ['iam:ListAccessKeys', 'iam:CreateAccessKey', 'iam:DeleteAccessKey'],
      resources: [user.userArn],
    }),
  );
  rotator.addToRolePolicy(
    new PolicyStatement({
      actions: [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      resources: [secret.secretArn],
    }),
  );

  const invokeBySecretsManager = new CfnPermission(stack, 'VideoUrlSignerRotationInvoke', {
    action: 'lambda:InvokeFunction',
    functionName: rotator.functionArn,
    principal: 'secretsmanager.amazonaws.com',
    sourceAccount: Aws.ACCOUNT_ID,
  });
  const schedule = new CfnRotationSchedule(stack, 'VideoUrlSignerRotation', {
    secretId: secret.secretArn,
    rotationLambdaArn: rotator.functionArn,
    rotationRules: { scheduleExpression: `rate(${rotationDays} days)` },
    // The first deploy rotates at once to make the first key; later unscheduled runs that would
    // delete a key still in use are refused by the rotation itself.
    rotateImmediatelyOnUpdate: true,
  });
  schedule.addDependency(invokeBySecretsManager);

  // Its UserName makes CloudFormation delete it, and so the keys, before the user.
  new CustomResource(stack, 'VideoUrlSignerKeyCleanup', {
    serviceToken: rotator.functionArn,
    resourceType: 'Custom::SignerKeyCleanup',
    properties: { UserName: user.userName },
    serviceTimeout: Duration.minutes(2),
  });
  return secret;
};

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
