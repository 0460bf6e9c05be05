import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AssetHashType,
  DockerImage,
  Duration,
  FileSystem,
  RemovalPolicy,
  type Stack,
} from 'aws-cdk-lib';
import { AnyPrincipal, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { VERSION } from 'remotion/version';
import { remotionBucketNameOf } from './remotion-render-function';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'bundle-site.mjs');

/** The site's folder in the Remotion bucket, as `deploySite` lays it out: `sites/<siteName>/`. */
export const REMOTION_SITE_PREFIX = 'sites/render-studio/';

/** Remotion's own bucket: the bundled site (public, as Remotion serves it) and render state (private). */
export const createRemotionBucket = (stack: Stack): Bucket => {
  const bucket = new Bucket(stack, 'RemotionBucket', {
    // forceBucketName is passed to the worker, and the name keeps Remotion's `remotionlambda-` prefix
    // that its suggested role policy grants.
    bucketName: remotionBucketNameOf(),
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    // Remotion writes its render state with ACLs; only the site is public, through the policy below.
    objectOwnership: ObjectOwnership.OBJECT_WRITER,
    blockPublicAccess: new BlockPublicAccess({
      blockPublicAcls: true,
      ignorePublicAcls: true,
      blockPublicPolicy: false,
      restrictPublicBuckets: false,
    }),
    lifecycleRules: [{ prefix: 'renders/', expiration: Duration.days(7) }],
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  // The render function's Chromium opens the serve URL over plain HTTPS, as with `deploySite`.
  bucket.addToResourcePolicy(
    new PolicyStatement({
      principals: [new AnyPrincipal()],
      actions: ['s3:GetObject'],
      resources: [bucket.arnForObjects(`${REMOTION_SITE_PREFIX}*`)],
    }),
  );
  return bucket;
};

/**
 * Bundles `remotion/index.ts` with `@remotion/bundler` during synthesis (as a CDK asset, so an
 * unchanged `remotion/` is not bundled twice into the same cdk.out) and uploads it to the
 * Remotion bucket. Returns the serve URL for `renderMediaOnLambda`.
 */
export const deployRemotionSite = (stack: Stack, bucket: Bucket): string => {
  const entryPoint = join(PROJECT_ROOT, 'remotion', 'index.ts');
  const source = Source.asset(join(PROJECT_ROOT, 'remotion'), {
    // Re-bundle only when the compositions, public/ (staticFile assets) or Remotion change.
    assetHashType: AssetHashType.CUSTOM,
    assetHash: FileSystem.fingerprint(join(PROJECT_ROOT, 'remotion'), {
      extraHash: `${FileSystem.fingerprint(join(PROJECT_ROOT, 'public'))}:${VERSION}`,
    }),
    bundling: {
      // Local bundling always answers; the image is only the required fallback and never pulled.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      local: {
        tryBundle(outputDir) {
          if (!existsSync(entryPoint)) {
            throw new Error(`The Remotion site needs ${entryPoint}, but it does not exist.`);
          }
          const run = spawnSync(process.execPath, [BUNDLE_SCRIPT, entryPoint, outputDir], {
            cwd: PROJECT_ROOT,
            stdio: 'inherit',
          });
          if (run.status !== 0) {
            throw new Error(
              `Bundling the Remotion site failed (exit ${run.status ?? run.signal}).`,
            );
          }
          return true;
        },
      },
    },
  });
  new BucketDeployment(stack, 'RemotionSiteDeployment', {
    sources: [source],
    destinationBucket: bucket,
    destinationKeyPrefix: REMOTION_SITE_PREFIX,
    memoryLimit: 512,
  });
  return `https://${bucket.bucketRegionalDomainName}/${REMOTION_SITE_PREFIX}index.html`;
};
