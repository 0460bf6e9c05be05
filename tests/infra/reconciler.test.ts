// The job reconciler in the synthesized backend (issue 18): a five-minute schedule, SendMessage on the render queue
// only, the data API over IAM, and an alarm on the metric its log line carries. Needs backend.ts to wire
// `jobReconciler` and `scheduleJobReconciler` (amplify/render-pipeline/reconciler-schedule.ts).
import { rmSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECONCILER_METRIC } from '../../amplify/functions/job-reconciler/reconciler-metric';
import {
  assetFileOf,
  synthesizeForTests,
  type SynthesizedBackend,
  type TemplateJson,
} from './synthesized-backend';

type Resource = TemplateJson['Resources'][string];

const environmentOf = (fn: Resource) =>
  (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
  {};

describe('the job reconciler in the synthesized backend', () => {
  let backend: SynthesizedBackend;
  let data: { json: TemplateJson; template: Template };
  let reconcilerId: string;
  let queueId: string;

  beforeAll(() => {
    backend = synthesizeForTests();
    data = backend.nested('data');
    const reconcilers = Object.entries(data.json.Resources).filter(
      ([, resource]) =>
        resource.Type === 'AWS::Lambda::Function' &&
        'RENDER_QUEUE_URL' in environmentOf(resource) &&
        !('RENDER_CAP' in environmentOf(resource)),
    );
    if (reconcilers.length !== 1)
      throw new Error(
        `Expected one job reconciler function (RENDER_QUEUE_URL without RENDER_CAP) in the data stack, found ` +
          `${reconcilers.length}. Wire it in amplify/backend.ts: defineBackend({ …, jobReconciler }) and ` +
          'scheduleJobReconciler(dataStack, { reconciler: backend.jobReconciler, queues }).',
      );
    const [id, reconciler] = reconcilers[0]!;
    reconcilerId = id;
    queueId = (environmentOf(reconciler).RENDER_QUEUE_URL as { Ref: string }).Ref;
  });

  afterAll(() => {
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  it('runs on Node 22 and reads the render queue URL from its environment', () => {
    const reconciler = data.json.Resources[reconcilerId]!;
    expect(reconciler.Properties?.Runtime).toBe('nodejs22.x');
    expect(data.json.Resources[queueId]?.Type).toBe('AWS::SQS::Queue');
    // The render queue, not its DLQ: the one the worker consumes.
    expect(JSON.stringify(data.json.Resources[queueId]?.Properties)).toContain('RedrivePolicy');
  });

  it('is invoked every five minutes by an EventBridge rule, without retries that would overlap runs', () => {
    data.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [reconcilerId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    data.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [reconcilerId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
    data.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: reconcilerId },
      MaximumRetryAttempts: 0,
    });
  });

  it('may send to the render queue only, and call the data API (IAM)', () => {
    const roleId = (
      data.json.Resources[reconcilerId]!.Properties?.Role as { 'Fn::GetAtt': [string, string] }
    )['Fn::GetAtt'][0];
    const statements = Object.values(data.json.Resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::IAM::Policy' &&
          JSON.stringify(resource.Properties?.Roles).includes(`"${roleId}"`),
      )
      .flatMap(
        (policy) =>
          (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
      );
    const sqs = statements.filter((statement) => JSON.stringify(statement.Action).includes('sqs:'));
    expect(sqs).toEqual([
      {
        Action: 'sqs:SendMessage',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [queueId, 'Arn'] },
      },
    ]);
    expect(statements.map((statement) => statement.Action)).toContain('appsync:GraphQL');
    expect(JSON.stringify(statements)).not.toMatch(/"sqs:\*"|"\*"\s*,?\s*"Effect"/);
  });

  it('alarms when a run acted, on the metric the handler logs (embedded metric format)', () => {
    data.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: RECONCILER_METRIC.namespace,
      MetricName: RECONCILER_METRIC.acted,
      Dimensions: [{ Name: RECONCILER_METRIC.dimension, Value: { Ref: reconcilerId } }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms when a run threw or could not act on a job', () => {
    const failed = Object.values(data.json.Resources).filter(
      (resource) =>
        resource.Type === 'AWS::CloudWatch::Alarm' &&
        JSON.stringify(resource.Properties?.Metrics ?? []).includes(RECONCILER_METRIC.errors),
    );
    expect(failed).toHaveLength(1);
    const metrics = JSON.stringify(failed[0]!.Properties?.Metrics);
    expect(metrics).toContain('"MetricName":"Errors"');
    expect(metrics).toContain(`"Ref":"${reconcilerId}"`);
  });

  it('grants signed-in users nothing on RenderSlot: its get, list and create resolvers admit IAM alone', () => {
    const slots = backend.nested('dataamplifyDataRenderSlot');
    const authTemplates = Object.values(slots.json.Resources)
      .filter(
        (resource) =>
          resource.Type === 'AWS::AppSync::FunctionConfiguration' &&
          /^(QuerygetRenderSlot|QuerylistRenderSlots|MutationcreateRenderSlot)auth0Function$/.test(
            String(resource.Properties?.Name),
          ),
      )
      .map((resource) =>
        backend.asset(assetFileOf(resource.Properties?.RequestMappingTemplateS3Location)),
      );
    expect(authTemplates).toHaveLength(3);
    for (const template of authTemplates) {
      expect(template).toContain('#if( $util.authType() == "IAM Authorization" )');
      // The user-pool branch is empty: nothing sets $isAuthorized for a signed-in user.
      expect(template).toMatch(/#if\( \$util\.authType\(\) == "User Pool Authorization" \)\s*#end/);
    }
  });
});
