// The admin surface in the synthesized backend (issue 17): the `admins` group, closed sign-up through the
// pre-sign-up trigger, and the operations function's role, which may count the render queues, redrive to the render
// queue, invite users and read metric values, and nothing else. Local mode runs the same handlers but enforces no IAM, so these hold only here.
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { ADMINS_GROUP } from '../../contract/admins';
import {
  synthesizeForTests,
  type SynthesizedBackend,
  type TemplateJson,
} from './synthesized-backend';

const resourcesOf = (template: TemplateJson, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

const only = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new Error(`Expected one ${what}, found ${items.length}`);
  return items[0]!;
};

const variablesOf = (fn: { Properties?: Record<string, unknown> }): Record<string, unknown> =>
  (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
  {};

type Statement = { Action: string | string[]; Effect: string; Resource: unknown };

describe('the admin surface in the synthesized backend', () => {
  let backend: SynthesizedBackend;
  let auth: ReturnType<SynthesizedBackend['nested']>;
  let data: ReturnType<SynthesizedBackend['nested']>;

  beforeAll(() => {
    backend = synthesizeForTests();
    auth = backend.nested('auth');
    data = backend.nested('data');
  });
  afterAll(() => rmSync(backend.outDir, { recursive: true, force: true }));

  it('defines the admins group in the user pool', () => {
    auth.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', {
      GroupName: ADMINS_GROUP,
      UserPoolId: Match.anyValue(),
    });
  });

  it('runs the pre-sign-up trigger on every sign-up, closed by default (empty allow list)', () => {
    const [triggerId, trigger] = only(
      resourcesOf(auth.json, 'AWS::Lambda::Function').filter(
        ([, fn]) => 'SIGN_UP_ALLOW_LIST' in variablesOf(fn),
      ),
      'pre-sign-up function',
    );
    expect(variablesOf(trigger).SIGN_UP_ALLOW_LIST).toBe('');
    auth.template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: Match.objectLike({ PreSignUp: { 'Fn::GetAtt': [triggerId, 'Arn'] } }),
    });
    // Cognito may invoke it; nothing else is granted.
    auth.template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [triggerId, 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
    });
  });

  it('lets the operations function read queue depths, redrive to the render queue, invite users and read metrics, and nothing more', () => {
    const [, fn] = only(
      resourcesOf(data.json, 'AWS::Lambda::Function').filter(
        ([, candidate]) =>
          'RENDER_WORKER_FUNCTION_NAME' in variablesOf(candidate) &&
          'USER_POOL_ID' in variablesOf(candidate),
      ),
      'operations function',
    );
    const roleId = (fn.Properties!.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = resourcesOf(data.json, 'AWS::IAM::Policy')
      .filter(([, policy]) =>
        ((policy.Properties!.Roles as { Ref: string }[]) ?? []).some((role) => role.Ref === roleId),
      )
      .flatMap(
        ([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement,
      );
    const grants = statements.flatMap((statement) =>
      [statement.Action].flat().map((action) => ({ action, resource: statement.Resource })),
    );
    const actions = [...new Set(grants.map((grant) => grant.action))].sort();
    // Amplify adds, for `allow.resource(operations)`, appsync:GraphQL on this API (jobs, the ledger and the
    // dead-letter archive are read and written through it) and, for the data client's own settings,
    // ssm:GetParameters and s3:GetObject on the model introspection schema.
    expect(actions).toEqual(
      [
        'appsync:GraphQL',
        's3:GetObject',
        'cloudwatch:GetMetricData',
        'cognito-idp:AdminCreateUser',
        'sqs:GetQueueAttributes',
        'sqs:SendMessage',
        'ssm:GetParameters',
      ].sort(),
    );
    const arnsOf = (action: string) =>
      JSON.stringify(grants.filter((grant) => grant.action === action).map((g) => g.resource));
    // Counting the render queue and its DLQ; sending only to the render queue (a redrive), never to the DLQ.
    expect(arnsOf('sqs:GetQueueAttributes')).toMatch(/RenderQueue.*RenderDeadLetterQueue/);
    expect(arnsOf('sqs:SendMessage')).toMatch(/RenderQueue/);
    expect(arnsOf('sqs:SendMessage')).not.toMatch(/DeadLetterQueue/);
    // Inviting only into this backend's user pool, never `*`.
    expect(arnsOf('cognito-idp:AdminCreateUser')).toMatch(/UserPool[0-9A-F]+Arn/);
    expect(arnsOf('s3:GetObject')).toMatch(/modelIntrospectionSchemaBucket/);
    // GetMetricData has no resource-level permissions: `*` is the only resource it can have, and the only `*`.
    expect(grants.filter((grant) => grant.resource === '*')).toEqual([
      { action: 'cloudwatch:GetMetricData', resource: '*' },
    ]);
    // It reads the worker's metrics by the worker's own function name.
    expect(JSON.stringify(variablesOf(fn).RENDER_WORKER_FUNCTION_NAME)).toMatch(/renderworker/i);
  });
});
