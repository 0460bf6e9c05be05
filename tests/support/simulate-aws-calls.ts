import {
  anonymousPrincipal,
  getDenialReasons,
  runSimulation,
  type Simulation,
} from '@cloud-copilot/iam-simulate';
import { PUBLIC_CANNED_ACLS, type AwsCall } from './aws-call-recorder';
import type { PolicyDocument, SynthesizedAccount } from './template-resolver';

/**
 * Judges recorded AWS calls against the synthesized account: IAM (identity policies of the caller
 * and the target's resource policy, evaluated by @cloud-copilot/iam-simulate) and S3 object
 * ownership (whether the bucket accepts the ACL a writer sends).
 */

/** The principal a simulation sees, and a readable name for messages. */
const principalOf = (
  account: SynthesizedAccount,
  call: AwsCall,
): {
  request: Simulation['request']['principal'];
  label: string;
  context: Record<string, string>;
} => {
  if (call.principal === 'anonymous') {
    return { request: anonymousPrincipal, label: 'an anonymous (unsigned) request', context: {} };
  }
  if (/^[a-z0-9-]+\.amazonaws\.com$/.test(call.principal)) {
    return { request: call.principal, label: `service ${call.principal}`, context: {} };
  }
  const identity = account.identity(call.principal);
  // A Lambda function acts as a session of its role.
  const request =
    identity.kind === 'role'
      ? `arn:aws:sts::${account.accountId}:assumed-role/${identity.name}/session`
      : identity.arn;
  return {
    request,
    label: `${identity.kind} ${identity.name}`,
    context: { 'aws:PrincipalArn': identity.arn, 'aws:PrincipalAccount': account.accountId },
  };
};

/** The resource policy S3 or SQS applies to a call, and S3's public-access setting. */
const resourcePolicyOf = (account: SynthesizedAccount, resource: string) => {
  const s3 = /^arn:aws:s3:::([^/]+)/.exec(resource);
  if (s3) {
    const bucket = account.bucket(s3[1]!);
    return { policy: bucket.policy, restrictPublicBuckets: bucket.restrictPublicBuckets };
  }
  if (resource.startsWith('arn:aws:sqs:')) return { policy: account.queuePolicy(resource) };
  if (resource.startsWith('arn:aws:lambda:'))
    return { policy: account.lambdaPermissionPolicy(resource) };
  return { policy: undefined };
};

/** What an identity's policies grant in `service`, compact, to say what it has instead. */
const grantsInService = (policies: { policy: PolicyDocument }[], service: string) =>
  policies
    .flatMap(({ policy }) => [policy.Statement].flat())
    .filter((statement) => statement.Effect === 'Allow')
    .map((statement) => ({
      actions: [statement.Action]
        .flat()
        .map(String)
        .filter((action) => action === '*' || action.startsWith(`${service}:`)),
      resources: [statement.Resource].flat().map(String),
    }))
    .filter(({ actions }) => actions.length > 0)
    .map(({ actions, resources }) => `${actions.join(',')} on ${resources.join(', ')}`);

/** The verdict on one call. */
export interface CallVerdict {
  call: AwsCall;
  allowed: boolean;
  /** Why it was refused and what the caller has instead; empty when allowed. */
  explanation: string;
}

/** Evaluates one call with the IAM simulator; throws if the simulator rejects the request itself. */
export const simulateAwsCall = async (
  account: SynthesizedAccount,
  call: AwsCall,
): Promise<CallVerdict> => {
  const principal = principalOf(account, call);
  // Anonymous callers and AWS service principals bring no identity policies: only resource policies count.
  const identityPolicies = call.principal.startsWith('arn:')
    ? account.identityPoliciesOf(call.principal)
    : [];
  const { policy, restrictPublicBuckets } = resourcePolicyOf(account, call.resource);
  const simulation: Simulation = {
    request: {
      principal: principal.request,
      action: call.action,
      resource: { resource: call.resource, accountId: account.accountId },
      // Every client here speaks HTTPS, which the buckets' and queues' policies require.
      contextVariables: { 'aws:SecureTransport': 'true', ...principal.context, ...call.context },
    },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(policy ? { resourcePolicy: policy } : {}),
    ...(restrictPublicBuckets === undefined
      ? {}
      : { additionalSettings: { s3: { blockPublicAccess: restrictPublicBuckets } } }),
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') {
    throw new Error(
      `The IAM simulator refused to evaluate ${call.action} on ${call.resource} (${call.source}): ${JSON.stringify(response.errors)}`,
    );
  }
  if (response.overallResult === 'Allowed') return { call, allowed: true, explanation: '' };
  const analyses =
    response.resultType === 'single'
      ? [response.result.analysis]
      : response.results.map((result) => result.analysis);
  const reasons = analyses
    .flatMap((analysis) => getDenialReasons(analysis))
    .map((denial) =>
      denial.denialType === 'Explicit'
        ? `explicit deny in the ${denial.policyType} policy (statement ${denial.statementId ?? denial.statementIndex})`
        : `no ${denial.policyType} policy allows it`,
    );
  const service = call.action.split(':')[0]!;
  const has = grantsInService(identityPolicies, service);
  return {
    call,
    allowed: false,
    explanation:
      `${principal.label} may not ${call.action} on ${call.resource} (made by ${call.source}): ` +
      `${response.overallResult}, ${[...new Set(reasons)].join('; ')}. ` +
      `Its ${service} grants: ${has.length ? has.join(' | ') : 'none'}.`,
  };
};

/**
 * Whether the target bucket's object ownership accepts the ACL a write sends. A bucket with no
 * `OwnershipControls` is BucketOwnerEnforced (S3's default for new buckets since April 2023): ACLs
 * are disabled and only `bucket-owner-full-control` (or no ACL) is accepted; ObjectWriter and
 * BucketOwnerPreferred accept ACLs unless Block Public Access refuses a public one.
 * Returns the problem, or null when S3 accepts the write.
 */
export const objectOwnershipProblem = (
  account: SynthesizedAccount,
  call: AwsCall,
): string | null => {
  if (!call.acl) return null;
  const bucketName = /^arn:aws:s3:::([^/]+)\//.exec(call.resource)?.[1];
  if (!bucketName) throw new Error(`An ACL on a call that writes no S3 object: ${call.resource}`);
  const bucket = account.bucket(bucketName);
  const ownership = `${bucket.objectOwnership}${bucket.objectOwnershipInTemplate ? '' : ' (no OwnershipControls: S3 default)'}`;
  if (bucket.objectOwnership === 'BucketOwnerEnforced') {
    if (call.acl === 'bucket-owner-full-control') return null;
    return (
      `${call.source} writes ${call.resource} with ACL "${call.acl}", but bucket ${bucketName} is ${ownership}: ` +
      'S3 refuses it with AccessControlListNotSupported. Send no ACL (Remotion: privacy "no-acl") or set ObjectWriter ownership.'
    );
  }
  if (bucket.blockPublicAcls && PUBLIC_CANNED_ACLS.includes(call.acl)) {
    return (
      `${call.source} writes ${call.resource} with public ACL "${call.acl}", but bucket ${bucketName} blocks public ACLs ` +
      `(${ownership}, BlockPublicAcls): S3 refuses it with AccessDenied.`
    );
  }
  return null;
};
