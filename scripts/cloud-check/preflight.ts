// What would break a deploy of this backend into the account and region at hand, each with its fix.
// Plain over injected SDK clients, so the unit tests drive every path with aws-sdk-client-mock.
import {
  GetAccountSettingsCommand,
  GetFunctionCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetPublicAccessBlockCommand, type S3ControlClient } from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { PipelineConfig } from '../../amplify/render-pipeline/config';

/** One check's verdict: `fail` would break the deploy, `warn` could not be decided or may hurt later. */
export interface Finding {
  check:
    | 'configuration'
    | 'region'
    | 'credentials'
    | 'block-public-access'
    | 'lambda-concurrency'
    | 'function-name';
  status: 'ok' | 'warn' | 'fail';
  message: string;
  /** What to do, in plain words; absent when nothing needs doing. */
  fix?: string;
}

/** The AWS clients the checks call (only `send` is used). */
export interface PreflightClients {
  sts: Pick<STSClient, 'send'>;
  s3Control: Pick<S3ControlClient, 'send'>;
  lambda: Pick<LambdaClient, 'send'>;
}

/** What this environment's deploy would create, worked out before any AWS call. */
export interface PreflightTarget {
  /** The region the SDK resolved (AWS_REGION, the profile, or --region); undefined if none. */
  region: string | undefined;
  /** Regions with Remotion's hosted layers. */
  supportedRegions: readonly string[];
  config: Pick<
    PipelineConfig,
    'lambdaConcurrencyBudget' | 'peakConcurrentExecutions' | 'renderCap'
  >;
  /** The Remotion render function this environment deploys. */
  functionName: string;
  /** This backend's root CloudFormation stack; its nested stacks' names start with it. */
  rootStackName: string;
}

const LAMBDA_QUOTA_FIX_PATH =
  'Service Quotas → AWS Lambda → Concurrent executions (quota code L-B99A9384)';

const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === 'string' ? error : 'Error';
const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
const isAccessDenied = (error: unknown) =>
  ['AccessDenied', 'AccessDeniedException'].includes(errorName(error));

const checkRegion = ({ region, supportedRegions }: PreflightTarget): Finding => {
  if (!region) {
    return {
      check: 'region',
      status: 'fail',
      message: 'No AWS region is configured, so there is nowhere to deploy.',
      fix: `Set AWS_REGION (or your profile's region, or pass --region) to one of ${supportedRegions.join(', ')}.`,
    };
  }
  if (supportedRegions.includes(region)) {
    return { check: 'region', status: 'ok', message: `${region} is served by Remotion Lambda.` };
  }
  return {
    check: 'region',
    status: 'fail',
    message: `${region} has no Remotion Lambda layers, so the render function cannot be deployed there.`,
    fix: `Deploy to one of ${supportedRegions.join(', ')}: set AWS_REGION (or pass --region) and check again.`,
  };
};

const checkCredentials = async (
  sts: PreflightClients['sts'],
): Promise<{ finding: Finding; account?: string }> => {
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return {
      account: identity.Account,
      finding: {
        check: 'credentials',
        status: 'ok',
        message: `Signed in to account ${identity.Account} as ${identity.Arn}.`,
      },
    };
  } catch (error) {
    const none = errorName(error) === 'CredentialsProviderError';
    return {
      finding: {
        check: 'credentials',
        status: 'fail',
        message: none
          ? 'No AWS credentials were found (environment, profile, SSO or instance role).'
          : `AWS refused the credentials in use (${errorText(error)}).`,
        fix: none
          ? 'Sign in first: `aws sso login --profile <name>` then `export AWS_PROFILE=<name>` ' +
            '(or `npx ampx configure profile` to create one), and run this check again.'
          : 'Refresh them (`aws sso login`, or new access keys), check AWS_PROFILE names the right ' +
            'account, and run this check again.',
      },
    };
  }
};

const checkBlockPublicAccess = async (
  s3Control: PreflightClients['s3Control'],
  account: string,
): Promise<Finding> => {
  const check = 'block-public-access';
  // Every bucket of the studio is private and the Remotion site is reached through CloudFront with
  // origin access control, so no setting here can stop the deploy: this is for the record.
  const regardless =
    'The studio deploys regardless: its buckets are private and the Remotion site is served through CloudFront.';
  try {
    const { PublicAccessBlockConfiguration: block = {} } = await s3Control.send(
      new GetPublicAccessBlockCommand({ AccountId: account }),
    );
    const on = Object.entries(block)
      .filter(([, value]) => value === true)
      .map(([name]) => name);
    return {
      check,
      status: 'ok',
      message: on.length
        ? `Account-level S3 Block Public Access is on (${on.join(', ')}). ${regardless}`
        : `Account-level S3 Block Public Access is set but blocks nothing. ${regardless}`,
    };
  } catch (error) {
    if (errorName(error) === 'NoSuchPublicAccessBlockConfiguration') {
      return {
        check,
        status: 'ok',
        message: `Account-level S3 Block Public Access is not configured. ${regardless}`,
      };
    }
    return {
      check,
      status: 'warn',
      message: `Could not read the account's S3 Block Public Access (${errorText(error)}). ${regardless}`,
      fix: isAccessDenied(error)
        ? 'Nothing to fix for the deploy; to see the setting, allow s3:GetAccountPublicAccessBlock.'
        : undefined,
    };
  }
};

const checkLambdaConcurrency = async (
  lambda: PreflightClients['lambda'],
  { config }: PreflightTarget,
): Promise<Finding> => {
  const check = 'lambda-concurrency';
  const budget = config.lambdaConcurrencyBudget;
  const peak = config.peakConcurrentExecutions;
  let quota: number | undefined;
  let unreserved: number | undefined;
  try {
    const { AccountLimit } = await lambda.send(new GetAccountSettingsCommand({}));
    quota = AccountLimit?.ConcurrentExecutions;
    unreserved = AccountLimit?.UnreservedConcurrentExecutions;
  } catch (error) {
    return {
      check,
      status: 'warn',
      message: `Could not read the account's Lambda concurrency (${errorText(error)}), so renders may be throttled unseen.`,
      fix: 'Allow lambda:GetAccountSettings and run this check again.',
    };
  }
  if (quota === undefined || unreserved === undefined) {
    return {
      check,
      status: 'warn',
      message: 'Lambda did not report the account concurrency quota, so it was not compared.',
    };
  }
  if (quota < budget) {
    return {
      check,
      status: 'fail',
      message:
        `The account may run ${quota} Lambda executions at once, but this deploy is planned for ` +
        `LAMBDA_CONCURRENCY_BUDGET=${budget} (${config.renderCap} renders × their worker, Remotion's ` +
        `main function and renderers, plus a reserve = ${peak} at the busiest).`,
      fix:
        `Request a quota of at least ${budget} in ${LAMBDA_QUOTA_FIX_PATH}, ` +
        `or set LAMBDA_CONCURRENCY_BUDGET=${quota} (and lower RENDER_CAP if it is set) where the backend is deployed.`,
    };
  }
  if (unreserved < peak) {
    return {
      check,
      status: 'fail',
      message:
        `Other functions reserve ${quota - unreserved} of the account's ${quota} concurrent executions, ` +
        `leaving ${unreserved}, but renders need ${peak} at the busiest, so they would be throttled.`,
      fix:
        "Remove or lower other functions' reserved concurrency, request a higher quota in " +
        `${LAMBDA_QUOTA_FIX_PATH}, or set LAMBDA_CONCURRENCY_BUDGET=${unreserved} (and lower RENDER_CAP if it is set).`,
    };
  }
  return {
    check,
    status: 'ok',
    message: `Quota ${quota}, ${unreserved} unreserved: room for LAMBDA_CONCURRENCY_BUDGET=${budget} (${peak} at the busiest).`,
  };
};

const STACK_NAME_TAG = 'aws:cloudformation:stack-name';

const checkFunctionName = async (
  lambda: PreflightClients['lambda'],
  { functionName, rootStackName }: PreflightTarget,
): Promise<Finding> => {
  const check = 'function-name';
  let tags: Record<string, string> | undefined;
  try {
    ({ Tags: tags } = await lambda.send(new GetFunctionCommand({ FunctionName: functionName })));
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') {
      return {
        check,
        status: 'ok',
        message: `No function is named ${functionName} yet; the deploy creates it.`,
      };
    }
    return {
      check,
      status: 'warn',
      message: `Could not look up the function ${functionName} (${errorText(error)}), so a name clash is not ruled out.`,
      fix: 'Allow lambda:GetFunction and lambda:ListTags and run this check again.',
    };
  }
  if (tags === undefined) {
    // GetFunction leaves tags out unless the caller may lambda:ListTags.
    return {
      check,
      status: 'warn',
      message: `A function named ${functionName} exists, and its tags could not be read to tell whether this backend owns it.`,
      fix: 'Allow lambda:ListTags and run this check again.',
    };
  }
  const owner = tags[STACK_NAME_TAG];
  if (owner === rootStackName || owner?.startsWith(`${rootStackName}-`)) {
    return {
      check,
      status: 'ok',
      message: `${functionName} belongs to this backend (${owner}); the deploy updates it.`,
    };
  }
  return {
    check,
    status: 'fail',
    message:
      `A function named ${functionName} already exists and belongs to ` +
      (owner
        ? `another CloudFormation stack (${owner})`
        : 'no CloudFormation stack (made by `npx remotion lambda functions deploy`, or left behind)') +
      `, so CloudFormation cannot create this backend's render function (${rootStackName}).`,
    fix: owner
      ? `Delete that stack if it is an old copy of this backend, or deploy under another name (--identifier for a sandbox).`
      : `Delete it if nothing uses it (\`aws lambda delete-function --function-name ${functionName}\`), ` +
        'or deploy under another name (--identifier for a sandbox).',
  };
};

/**
 * Runs every check and returns their findings, region first. Without a region or working
 * credentials the account checks cannot run, so the findings stop there.
 */
export const runPreflight = async (
  clients: PreflightClients,
  target: PreflightTarget,
): Promise<Finding[]> => {
  const region = checkRegion(target);
  if (!target.region) return [region];
  const { finding: credentials, account } = await checkCredentials(clients.sts);
  if (credentials.status === 'fail' || !account) return [region, credentials];
  const accountChecks = await Promise.all([
    checkBlockPublicAccess(clients.s3Control, account),
    checkLambdaConcurrency(clients.lambda, target),
    checkFunctionName(clients.lambda, target),
  ]);
  return [region, credentials, ...accountChecks];
};
