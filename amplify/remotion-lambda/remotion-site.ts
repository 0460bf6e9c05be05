import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import {
  AllowedMethods,
  Distribution,
  HttpVersion,
  PriceClass,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { remotionBucketNameOf } from './remotion-render-function';
import { remotionSiteHash } from './remotion-site-inputs';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'bundle-site.mjs');

/** Where each version of the site lives in its bucket: `sites/<hash of every input>/`. */
export const remotionSitePrefixOf = (hash: string): string => `sites/${hash.slice(0, 16)}/`;

/**
 * Remotion's own bucket: render state only (progress, chunks, cancel signal), never public.
 * Remotion writes that state with `ACL: private`, so ACLs stay enabled (ObjectWriter); every
 * public access path is blocked, which accounts under an organisation-wide Block Public Access
 * setting require anyway.
 */
export const createRemotionBucket = (stack: Stack): Bucket =>
  new Bucket(stack, 'RemotionBucket', {
    // forceBucketName is passed to the worker, and the name keeps Remotion's `remotionlambda-` prefix
    // that its suggested role policy grants.
    bucketName: remotionBucketNameOf(),
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.OBJECT_WRITER,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    // Its `renders/` lifecycle rule follows the output retention (amplify/storage/output-retention-rules.ts).
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });

/**
 * Bundles `remotion/index.ts` with `@remotion/bundler` during synthesis (a CDK asset hashed over
 * every input of the bundle, so an unchanged site is neither bundled nor uploaded twice, and any
 * change is), uploads it to a private bucket and serves it through CloudFront with origin access
 * control: Remotion's browser needs a plain HTTPS URL, and a public bucket policy is refused by
 * accounts with S3 Block Public Access. Returns the serve URL for `renderMediaOnLambda`.
 */
export const deployRemotionSite = (stack: Stack): string => {
  const entryPoint = join(PROJECT_ROOT, 'remotion', 'index.ts');
  const siteHash = remotionSiteHash(PROJECT_ROOT, BUNDLE_SCRIPT);
  const siteBucket = new Bucket(stack, 'RemotionSiteBucket', {
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
  });
  const distribution = new Distribution(stack, 'RemotionSiteDistribution', {
    comment: 'Serves the Remotion site to the render function',
    defaultBehavior: {
      origin: S3BucketOrigin.withOriginAccessControl(siteBucket),
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
    },
    httpVersion: HttpVersion.HTTP2_AND_3,
    priceClass: PriceClass.PRICE_CLASS_100,
  });
  const source = Source.asset(join(PROJECT_ROOT, 'remotion'), {
    assetHashType: AssetHashType.CUSTOM,
    assetHash: siteHash,
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
  // Each version in its own folder: renders in flight keep the site they started with.
  const prefix = remotionSitePrefixOf(siteHash);
  new BucketDeployment(stack, 'RemotionSiteDeployment', {
    sources: [source],
    destinationBucket: siteBucket,
    destinationKeyPrefix: prefix,
    memoryLimit: 512,
  });
  return `https://${distribution.distributionDomainName}/${prefix}index.html`;
};
