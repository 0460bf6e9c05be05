import {
  GetAccountSettingsCommand,
  GetFunctionCommand,
  LambdaClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  GetPublicAccessBlockCommand,
  NoSuchPublicAccessBlockConfiguration,
  S3ControlClient,
} from '@aws-sdk/client-s3-control';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPipelineConfig } from '../../../amplify/render-pipeline/config';
import {
  type Finding,
  type PreflightTarget,
  runPreflight,
} from '../../../scripts/cloud-check/preflight';

const ACCOUNT = '123456789012';
const ROOT_STACK = 'amplify-renderstudio-dev-sandbox-63ba2c83e8';
const FUNCTION_NAME = 'remotion-render-4-0-527-1a2b3c4d-mem2048mb-disk2048mb-120sec';

const sts = mockClient(STSClient);
const s3Control = mockClient(S3ControlClient);
const lambda = mockClient(LambdaClient);

const clients = () => ({
  sts: new STSClient({ region: 'us-east-1' }),
  s3Control: new S3ControlClient({ region: 'us-east-1' }),
  lambda: new LambdaClient({ region: 'us-east-1' }),
});

const targetWith = (overrides: Partial<PreflightTarget> = {}): PreflightTarget => ({
  region: 'us-east-1',
  supportedRegions: ['eu-central-1', 'us-east-1'],
  config: readPipelineConfig({}), // budget 10, peak 10
  functionName: FUNCTION_NAME,
  rootStackName: ROOT_STACK,
  ...overrides,
});

const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });

/** The finding of one check, failing the test if the preflight did not report it. */
const findingOf = (findings: Finding[], check: Finding['check']): Finding => {
  const finding = findings.find((candidate) => candidate.check === check);
  if (!finding) {
    throw new Error(`Expected a ${check} finding, got ${findings.map((f) => f.check).join(', ')}`);
  }
  return finding;
};

/** An account where every check passes: a new account's 10 executions, no clash. */
const givenAHealthyAccount = () => {
  sts.on(GetCallerIdentityCommand).resolves({
    Account: ACCOUNT,
    Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Admin/dora`,
  });
  s3Control
    .on(GetPublicAccessBlockCommand)
    .rejects(new NoSuchPublicAccessBlockConfiguration({ message: 'none', $metadata: {} }));
  lambda
    .on(GetAccountSettingsCommand)
    .resolves({ AccountLimit: { ConcurrentExecutions: 10, UnreservedConcurrentExecutions: 10 } });
  lambda
    .on(GetFunctionCommand)
    .rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));
};

describe('runPreflight', () => {
  beforeEach(givenAHealthyAccount);
  afterEach(() => {
    sts.reset();
    s3Control.reset();
    lambda.reset();
  });

  it('passes every check in a supported region of a healthy new account', async () => {
    const findings = await runPreflight(clients(), targetWith());

    expect(findings.map(({ check, status }) => `${check}:${status}`)).toEqual([
      'region:ok',
      'credentials:ok',
      'block-public-access:ok',
      'lambda-concurrency:ok',
      'function-name:ok',
    ]);
    expect(s3Control.commandCalls(GetPublicAccessBlockCommand)[0]!.args[0].input).toEqual({
      AccountId: ACCOUNT,
    });
    expect(lambda.commandCalls(GetFunctionCommand)[0]!.args[0].input).toEqual({
      FunctionName: FUNCTION_NAME,
    });
  });

  describe('region', () => {
    it('fails a region without Remotion layers and names the ones to use', async () => {
      const findings = await runPreflight(clients(), targetWith({ region: 'cn-north-1' }));

      expect(findingOf(findings, 'region')).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('cn-north-1 has no Remotion Lambda layers'),
        fix: expect.stringContaining('eu-central-1, us-east-1'),
      });
    });

    it('fails without a region and stops there, since nothing can be asked of AWS', async () => {
      const findings = await runPreflight(clients(), targetWith({ region: undefined }));

      expect(findings).toEqual([
        expect.objectContaining({
          check: 'region',
          status: 'fail',
          fix: expect.stringMatching(/AWS_REGION/),
        }),
      ]);
      expect(sts.calls()).toHaveLength(0);
    });
  });

  describe('credentials', () => {
    it('says how to sign in when no credentials are found, and skips the account checks', async () => {
      sts
        .on(GetCallerIdentityCommand)
        .rejects(
          awsError('CredentialsProviderError', 'Could not load credentials from any providers'),
        );

      const findings = await runPreflight(clients(), targetWith());

      expect(findings.map((finding) => finding.check)).toEqual(['region', 'credentials']);
      expect(findingOf(findings, 'credentials')).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('No AWS credentials were found'),
        fix: expect.stringContaining('aws sso login'),
      });
      expect(lambda.calls()).toHaveLength(0);
    });

    it('reports credentials AWS refuses, with the reason', async () => {
      sts
        .on(GetCallerIdentityCommand)
        .rejects(awsError('ExpiredToken', 'The security token included in the request is expired'));

      const finding = findingOf(await runPreflight(clients(), targetWith()), 'credentials');

      expect(finding).toMatchObject({
        status: 'fail',
        message: expect.stringContaining(
          'ExpiredToken: The security token included in the request is expired',
        ),
        fix: expect.stringContaining('Refresh them'),
      });
    });
  });

  describe('S3 Block Public Access', () => {
    it('reports the settings that are on, and that the studio deploys regardless', async () => {
      s3Control.on(GetPublicAccessBlockCommand).resolves({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: false,
        },
      });

      const finding = findingOf(await runPreflight(clients(), targetWith()), 'block-public-access');

      expect(finding.status).toBe('ok');
      expect(finding.message).toContain(
        'is on (BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy)',
      );
      expect(finding.message).toContain('deploys regardless');
    });

    it('reports "not configured" for NoSuchPublicAccessBlockConfiguration', async () => {
      const finding = findingOf(await runPreflight(clients(), targetWith()), 'block-public-access');

      expect(finding).toMatchObject({
        status: 'ok',
        message: expect.stringContaining('not configured'),
      });
    });

    it('warns, without failing, when the setting cannot be read', async () => {
      s3Control.on(GetPublicAccessBlockCommand).rejects(awsError('AccessDenied', 'Access Denied'));

      const finding = findingOf(await runPreflight(clients(), targetWith()), 'block-public-access');

      expect(finding).toMatchObject({
        status: 'warn',
        fix: expect.stringContaining('s3:GetAccountPublicAccessBlock'),
      });
    });
  });

  describe('Lambda concurrency', () => {
    it('passes when the quota covers the budget and enough of it is unreserved', async () => {
      lambda.on(GetAccountSettingsCommand).resolves({
        AccountLimit: { ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 900 },
      });

      const finding = findingOf(
        await runPreflight(
          clients(),
          targetWith({ config: readPipelineConfig({ LAMBDA_CONCURRENCY_BUDGET: '100' }) }),
        ),
        'lambda-concurrency',
      );

      expect(finding).toMatchObject({
        status: 'ok',
        message: expect.stringContaining('Quota 1000, 900 unreserved'),
      });
    });

    it('fails a quota below the budget and names the quota increase and the variable to lower', async () => {
      const config = readPipelineConfig({ LAMBDA_CONCURRENCY_BUDGET: '100' });

      const finding = findingOf(
        await runPreflight(clients(), targetWith({ config })),
        'lambda-concurrency',
      );

      expect(finding.status).toBe('fail');
      expect(finding.message).toContain('may run 10 Lambda executions at once');
      expect(finding.message).toContain('LAMBDA_CONCURRENCY_BUDGET=100');
      expect(finding.fix).toContain('Service Quotas → AWS Lambda → Concurrent executions');
      expect(finding.fix).toContain('L-B99A9384');
      expect(finding.fix).toContain('LAMBDA_CONCURRENCY_BUDGET=10');
    });

    it("fails when other functions' reserved concurrency leaves less than the renders' peak", async () => {
      lambda.on(GetAccountSettingsCommand).resolves({
        AccountLimit: { ConcurrentExecutions: 50, UnreservedConcurrentExecutions: 8 },
      });

      const finding = findingOf(await runPreflight(clients(), targetWith()), 'lambda-concurrency');

      expect(finding).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('reserve 42 of'),
        fix: expect.stringContaining('reserved concurrency'),
      });
    });
  });

  describe('render function name', () => {
    it("passes when this backend's own nested stack already owns the function", async () => {
      lambda.on(GetFunctionCommand).resolves({
        Tags: { 'aws:cloudformation:stack-name': `${ROOT_STACK}-remotion9A8B7C6D-1XYZ` },
      });

      const finding = findingOf(await runPreflight(clients(), targetWith()), 'function-name');

      expect(finding).toMatchObject({
        status: 'ok',
        message: expect.stringContaining('belongs to this backend'),
      });
    });

    it('fails when another stack owns a function of that name', async () => {
      lambda.on(GetFunctionCommand).resolves({
        Tags: {
          'aws:cloudformation:stack-name':
            'amplify-renderstudio-dev-sandbox-0000000000-remotion1-AB',
        },
      });

      const finding = findingOf(await runPreflight(clients(), targetWith()), 'function-name');

      expect(finding).toMatchObject({
        status: 'fail',
        message: expect.stringContaining(
          'another CloudFormation stack (amplify-renderstudio-dev-sandbox-0000000000-remotion1-AB)',
        ),
      });
    });

    it('fails when a function of that name was made outside CloudFormation, and says how to delete it', async () => {
      lambda.on(GetFunctionCommand).resolves({ Tags: { 'remotion-lambda': 'true' } });

      const finding = findingOf(await runPreflight(clients(), targetWith()), 'function-name');

      expect(finding).toMatchObject({
        status: 'fail',
        message: expect.stringContaining('no CloudFormation stack'),
        fix: expect.stringContaining(`aws lambda delete-function --function-name ${FUNCTION_NAME}`),
      });
    });

    it('warns when the owner cannot be told because the tags are not readable', async () => {
      lambda.on(GetFunctionCommand).resolves({ Configuration: { FunctionName: FUNCTION_NAME } });

      const finding = findingOf(await runPreflight(clients(), targetWith()), 'function-name');

      expect(finding).toMatchObject({
        status: 'warn',
        fix: expect.stringContaining('lambda:ListTags'),
      });
    });
  });
});
