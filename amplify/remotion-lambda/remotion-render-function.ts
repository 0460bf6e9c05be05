import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  Aws,
  CfnMapping,
  CfnRule,
  Duration,
  Fn,
  RemovalPolicy,
  Size,
  Tags,
  Token,
  type Stack,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { PolicyDocument, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Architecture,
  Code,
  Function as LambdaFunction,
  LayerVersion,
  Runtime,
  RuntimeManagementMode,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { getRolePolicy } from '@remotion/lambda/policies';
import { speculateFunctionName } from '@remotion/lambda/client';
import { VERSION } from 'remotion/version';
import type { PipelineConfig } from '../render-pipeline/config';

const require = createRequire(import.meta.url);
const REMOTION_LAMBDA_DIR = dirname(require.resolve('@remotion/lambda/package.json'));

/** The render function's zip exactly as `@remotion/lambda` ships and deploys it. */
export const REMOTION_FUNCTION_ZIP = join(REMOTION_LAMBDA_DIR, 'remotionlambda-arm64.zip');

interface HostedLayer {
  layerArn: string;
  version: number;
}

/**
 * Remotion's hosted layer list, read from the file `deployFunction` reads (not exported by the
 * package; importing `@remotion/lambda` whole would add seconds to every synth).
 */
const readHostedLayers = (): Record<string, HostedLayer[]> =>
  (
    require(join(REMOTION_LAMBDA_DIR, 'dist/shared/hosted-layers.js')) as {
      hostedLayers: Record<string, HostedLayer[]>;
    }
  ).hostedLayers;

// The runtime version Remotion locks its functions to (dist/api/create-function.js, 4.0.527).
const REMOTION_RUNTIME_VERSION = '58a37e8413ed69058c4ac3b1df642118591f17d40def93d6101f867c72cd03c2';

const LAYER_KINDS = ['fonts', 'chromium', 'emoji-google', 'cjk'] as const;

/**
 * Remotion's hosted layers for every region it serves, as a CloudFormation mapping, so the
 * deploy region (a token at synth time) picks its own layer ARNs.
 */
const createHostedLayerMapping = (stack: Stack): CfnMapping => {
  const mapping: Record<string, Record<string, string>> = {};
  // Regions without hosted layers (China) are absent: a deploy there fails on the missing key.
  for (const [region, layers] of Object.entries(readHostedLayers())) {
    mapping[region] = Object.fromEntries(
      LAYER_KINDS.map((kind) => {
        const layer = layers.find((candidate) => candidate.layerArn.endsWith(`-${kind}-arm64`));
        if (!layer) throw new Error(`Remotion lists no ${kind} layer for ${region}`);
        return [kind.replace('-', ''), `${layer.layerArn}:${layer.version}`];
      }),
    );
  }
  return new CfnMapping(stack, 'RemotionHostedLayers', { mapping });
};

/** The regions Remotion serves (those with its hosted layers), sorted. */
export const supportedRemotionRegions = (): string[] => Object.keys(readHostedLayers()).sort();

/**
 * Fails synthesis when the deploy region is known and Remotion does not serve it; otherwise the
 * deploy would fail deep inside CloudFormation on the layer mapping.
 */
export const assertRegionSupported = (region: string | undefined): void => {
  if (region === undefined || Token.isUnresolved(region)) return;
  const regions = supportedRemotionRegions();
  if (regions.includes(region)) return;
  throw new Error(
    `The render backend cannot deploy to ${region}: Remotion Lambda runs only in ${regions.join(', ')}. ` +
      "Choose one of these with AWS_REGION (or your AWS profile's region) and deploy again.",
  );
};

/** The deploy region as the Amplify CLI and CDK give it to synthesis, if they do. */
export const deployRegionOf = (stack: Stack): string | undefined =>
  Token.isUnresolved(stack.region)
    ? (process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION)
    : stack.region;

/**
 * Eight hex characters naming this Amplify environment (sandbox or branch), from the backend
 * identifier the Amplify CLI puts in the CDK context, so two environments in one account and
 * region never share a physical name.
 */
export const environmentTagOf = (scope: IConstruct): string => {
  const identifier = ['namespace', 'name', 'type'].map((part) => {
    const value: unknown = scope.node.tryGetContext(`amplify-backend-${part}`);
    if (typeof value !== 'string' || value === '') {
      throw new Error(
        `The CDK context must hold amplify-backend-${part} (the Amplify CLI sets it), but got ${JSON.stringify(value)}.`,
      );
    }
    return value;
  });
  return createHash('sha256').update(identifier.join('/')).digest('hex').slice(0, 8);
};

/**
 * The render function's name: Remotion's own (`remotion-render-4-0-527-mem2048mb-disk2048mb-120sec`)
 * with the environment's tag after the version. Remotion's role policy matches `remotion-render-*`,
 * and `getRenderProgress({ skipLambdaInvocation })` parses memory, disk and timeout from the
 * `-mem…mb-disk…mb-…sec` ending, so both parts stay where Remotion looks for them.
 */
export const remotionFunctionNameOf = (config: PipelineConfig, environmentTag: string): string => {
  if (!/^[0-9a-f]{8}$/.test(environmentTag)) {
    throw new Error(
      `The environment tag must be 8 hex characters, but got ${JSON.stringify(environmentTag)}.`,
    );
  }
  const remotionName = speculateFunctionName({
    memorySizeInMb: config.remotionMemorySizeInMb,
    diskSizeInMb: config.remotionDiskSizeInMb,
    timeoutInSeconds: config.remotionTimeoutSeconds,
  });
  return remotionName.replace(/-mem(\d+)mb-/, `-${environmentTag}-mem$1mb-`);
};

/** Makes CloudFormation refuse, before creating anything, a stack deployed where Remotion has no layers. */
const requireSupportedRegion = (stack: Stack): void => {
  const regions = supportedRemotionRegions();
  new CfnRule(stack, 'RemotionSupportedRegion', {
    assertions: [
      {
        assert: Fn.conditionContains(regions, Aws.REGION),
        assertDescription: `Remotion Lambda runs only in ${regions.join(', ')}: deploy to one of these regions.`,
      },
    ],
  });
};

/**
 * Creates the Remotion render function the way `deployFunction` does (zip, handler, Node 24,
 * arm64, hosted layers, limits, tags, async retries 0, locked runtime), with its role built from
 * Remotion's suggested role policy, plus write access to the finished-video prefix of `outputBucket`.
 */
export const createRemotionRenderFunction = (
  stack: Stack,
  { config, outputBucket }: { config: PipelineConfig; outputBucket: IBucket },
): LambdaFunction => {
  assertRegionSupported(deployRegionOf(stack));
  requireSupportedRegion(stack);
  const functionName = remotionFunctionNameOf(config, environmentTagOf(stack));
  const role = new Role(stack, 'RemotionRenderRole', {
    assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    description: 'remotion-lambda-role: Remotion suggested role policy (getRolePolicy).',
    inlinePolicies: {
      RemotionSuggestedRolePolicy: PolicyDocument.fromJson(JSON.parse(getRolePolicy())),
    },
  });
  // Finished videos go straight to the private output bucket (renderMediaOnLambda's `outName`).
  outputBucket.grantPut(role, `${config.outputPrefix}*`);
  outputBucket.grantRead(role, `${config.outputPrefix}*`);

  const layers = createHostedLayerMapping(stack);
  const fn = new LambdaFunction(stack, 'RemotionRenderFunction', {
    functionName,
    description: 'Renders a Remotion video.',
    code: Code.fromAsset(REMOTION_FUNCTION_ZIP),
    handler: 'index.handler',
    runtime: Runtime.NODEJS_24_X,
    runtimeManagementMode: RuntimeManagementMode.manual(
      `arn:${Aws.PARTITION}:lambda:${Aws.REGION}::runtime:${REMOTION_RUNTIME_VERSION}`,
    ),
    architecture: Architecture.ARM_64,
    memorySize: config.remotionMemorySizeInMb,
    ephemeralStorageSize: Size.mebibytes(config.remotionDiskSizeInMb),
    timeout: Duration.seconds(config.remotionTimeoutSeconds),
    retryAttempts: 0, // Remotion retries chunks itself.
    role,
    layers: LAYER_KINDS.map((kind) =>
      LayerVersion.fromLayerVersionArn(
        stack,
        `RemotionLayer-${kind}`,
        layers.findInMap(Aws.REGION, kind.replace('-', '')),
      ),
    ),
    logGroup: new LogGroup(stack, 'RemotionRenderLogs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    }),
  });
  const tags: Record<string, string> = {
    'remotion-lambda': 'true',
    'remotion-version': VERSION,
    'remotion-memory-in-mb': String(config.remotionMemorySizeInMb),
    'remotion-timeout-in-seconds': String(config.remotionTimeoutSeconds),
    'remotion-ephemereal-storage-in-mb': String(config.remotionDiskSizeInMb),
  };
  for (const [key, value] of Object.entries(tags)) Tags.of(fn).add(key, value);
  return fn;
};

/** Fn.join-able name of the per-stack Remotion bucket: `remotionlambda-<stack uuid>`. */
export const remotionBucketNameOf = (): string =>
  Fn.join('', ['remotionlambda-', Fn.select(2, Fn.split('/', Aws.STACK_ID))]);
