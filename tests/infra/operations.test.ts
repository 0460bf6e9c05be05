// The operations view in the synthesized backend: a dashboard over the worker's own metrics and AWS's, alarms that
// reach a person (every alarm → one encrypted topic, an email subscription with ALARM_EMAIL), the budget alarms,
// and a log group with a retention for every Lambda function of every template.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { JOB_OUTCOMES, RENDER_METRICS } from '../../amplify/functions/render-worker/render-metrics';
import { readPipelineConfig } from '../../amplify/render-pipeline/config';
import {
  synthesizeForTests,
  type SynthesizedBackend,
  type TemplateJson,
} from './synthesized-backend';

type Resource = TemplateJson['Resources'][string];

const resourcesOf = (template: TemplateJson, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** Every template of the synthesis (root and nested), by file name. */
const allTemplates = (backend: SynthesizedBackend): [string, TemplateJson][] =>
  readdirSync(backend.outDir)
    .filter((name) => name.endsWith('.template.json'))
    .map((name) => [
      name,
      JSON.parse(readFileSync(join(backend.outDir, name), 'utf8')) as TemplateJson,
    ]);

const only = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new Error(`Expected one ${what}, found ${items.length}`);
  return items[0]!;
};

/** One metric line of a dashboard widget, tokens shown as `<{Ref:…}>`. */
interface DashboardMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
  options: { stat?: string; period?: number; label?: string; visible?: boolean };
}
interface DashboardWidget {
  type: string;
  properties: {
    title?: string;
    metrics?: unknown[][];
    annotations?: { horizontal?: { value: number; label?: string }[] };
  };
}

/** The dashboard's body as JSON, each CloudFormation token replaced by a readable `<{Ref:…}>` string. */
const dashboardBodyOf = (dashboard: Resource): { widgets: DashboardWidget[] } => {
  const parts = (dashboard.Properties!.DashboardBody as { 'Fn::Join': [string, unknown[]] })[
    'Fn::Join'
  ][1];
  const text = parts
    .map((part) =>
      typeof part === 'string' ? part : `<${JSON.stringify(part).replace(/"/g, '')}>`,
    )
    .join('');
  return JSON.parse(text) as { widgets: DashboardWidget[] };
};

const metricsOfWidget = (widget: DashboardWidget): DashboardMetric[] =>
  (widget.properties.metrics ?? [])
    .filter((line) => typeof line[0] === 'string')
    .map((line) => {
      const last = line.at(-1);
      const hasOptions = typeof last === 'object' && last !== null;
      const values = (hasOptions ? line.slice(0, -1) : line) as string[];
      const [namespace, name, ...pairs] = values;
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i]!] = pairs[i + 1]!;
      return {
        namespace: namespace!,
        name: name!,
        dimensions,
        options: (hasOptions ? last : {}) as DashboardMetric['options'],
      };
    });

describe('operations in the synthesized backend', () => {
  let plain: SynthesizedBackend;
  let withEmail: SynthesizedBackend;
  let data: TemplateJson;
  let workerRef: string;

  // One hook each: each synthesis gets the whole hook timeout.
  beforeAll(() => {
    vi.stubEnv('ALARM_EMAIL', '');
    vi.stubEnv('DAILY_COST_ALARM_USD', '');
    plain = synthesizeForTests();
    data = plain.nested('data').json;
    const [workerId] = only(
      resourcesOf(data, 'AWS::Lambda::Function').filter(([, fn]) =>
        JSON.stringify(fn.Properties?.Environment ?? {}).includes('REMOTION_SERVE_URL'),
      ),
      'render worker',
    );
    workerRef = `<{Ref:${workerId}}>`;
  });
  beforeAll(() => {
    vi.stubEnv('ALARM_EMAIL', 'ops@example.com');
    vi.stubEnv('DAILY_COST_ALARM_USD', '35');
    withEmail = synthesizeForTests();
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    for (const backend of [plain, withEmail]) {
      if (backend) rmSync(backend.outDir, { recursive: true, force: true });
    }
  });

  describe('the dashboard', () => {
    let widgets: DashboardWidget[];
    const widget = (title: RegExp) =>
      only(
        widgets.filter((candidate) => title.test(candidate.properties.title ?? '')),
        `widget titled ${title}`,
      );
    const workerDimensions = (extra: Record<string, string> = {}) => ({
      [RENDER_METRICS.dimensions.service]: RENDER_METRICS.service,
      [RENDER_METRICS.dimensions.function]: workerRef,
      ...extra,
    });

    beforeAll(() => {
      const [, dashboard] = only(resourcesOf(data, 'AWS::CloudWatch::Dashboard'), 'dashboard');
      // CloudFormation names it: a literal name would collide with a second environment's.
      expect(dashboard.Properties?.DashboardName).toBeUndefined();
      widgets = dashboardBodyOf(dashboard).widgets;
    });

    it('shows the render queue depth and its oldest message, against the alarm threshold', () => {
      const config = readPipelineConfig({});
      expect(metricsOfWidget(widget(/^Render queue: messages/)).map((m) => m.name)).toEqual([
        'ApproximateNumberOfMessagesVisible',
        'ApproximateNumberOfMessagesNotVisible',
      ]);
      const age = widget(/oldest message/);
      expect(metricsOfWidget(age)).toEqual([
        expect.objectContaining({
          namespace: 'AWS/SQS',
          name: 'ApproximateAgeOfOldestMessage',
          dimensions: { QueueName: expect.stringMatching(/RenderQueue/) },
        }),
      ]);
      expect(age.properties.annotations?.horizontal).toEqual([
        expect.objectContaining({ value: config.oldestMessageAlarmSeconds }),
      ]);
    });

    it('shows the depth of the render DLQ (visible and in flight) and of the job stream pipe DLQ', () => {
      const dlq = widget(/^Dead-letter queues/);
      expect(JSON.stringify(dlq.properties.metrics)).toContain('"expression":"visible + inFlight"');
      expect(metricsOfWidget(dlq).map((m) => m.dimensions.QueueName)).toEqual([
        expect.stringMatching(/RenderDeadLetterQueue/),
        expect.stringMatching(/RenderDeadLetterQueue/),
        expect.stringMatching(/JobStreamPipeDeadLetterQueue/),
      ]);
    });

    it('shows the renders in flight the worker reports, with the render cap as a line', () => {
      const config = readPipelineConfig({});
      const inFlight = widget(/^Renders in flight/);
      expect(metricsOfWidget(inFlight)).toContainEqual({
        namespace: RENDER_METRICS.namespace,
        name: RENDER_METRICS.names.rendersInFlight,
        dimensions: workerDimensions(),
        options: expect.objectContaining({ stat: 'Maximum' }),
      });
      expect(inFlight.properties.annotations?.horizontal).toEqual([
        expect.objectContaining({ value: config.renderCap, label: 'RENDER_CAP' }),
      ]);
    });

    it('shows jobs finished per hour for each outcome, render time p50/p95 and cost per hour', () => {
      expect(metricsOfWidget(widget(/^Jobs finished per hour/))).toEqual(
        JOB_OUTCOMES.map((outcome) => ({
          namespace: RENDER_METRICS.namespace,
          name: RENDER_METRICS.names.jobsFinished,
          dimensions: workerDimensions({ [RENDER_METRICS.dimensions.outcome]: outcome }),
          options: expect.objectContaining({ stat: 'Sum', period: 3600 }),
        })),
      );
      expect(
        metricsOfWidget(widget(/^Render duration/)).map((m) => [m.name, m.options.stat]),
      ).toEqual([
        [RENDER_METRICS.names.renderDurationSeconds, 'p50'],
        [RENDER_METRICS.names.renderDurationSeconds, 'p95'],
      ]);
      expect(metricsOfWidget(widget(/^Render cost per hour/))).toEqual([
        {
          namespace: RENDER_METRICS.namespace,
          name: RENDER_METRICS.names.renderCostUsd,
          dimensions: workerDimensions(),
          options: expect.objectContaining({ stat: 'Sum', period: 3600 }),
        },
      ]);
    });

    it("shows the worker's errors and the render function's errors, throttles and concurrent executions", () => {
      expect(metricsOfWidget(widget(/^Render worker/))).toContainEqual(
        expect.objectContaining({
          namespace: 'AWS/Lambda',
          name: 'Errors',
          dimensions: { FunctionName: workerRef },
        }),
      );
      const remotion = metricsOfWidget(widget(/^Remotion render function/));
      expect(remotion.map((m) => [m.namespace, m.name])).toEqual([
        ['AWS/Lambda', 'Errors'],
        ['AWS/Lambda', 'Throttles'],
        ['AWS/Lambda', 'ConcurrentExecutions'],
      ]);
      for (const metric of remotion)
        expect(metric.dimensions.FunctionName).toMatch(/RemotionRenderFunction/);
    });
  });

  describe('alarms', () => {
    const topicIdOf = (template: TemplateJson) =>
      only(resourcesOf(template, 'AWS::SNS::Topic'), 'alarm topic')[0];

    it('every alarm of every template notifies the alarm topic on ALARM and on OK', () => {
      const topicId = topicIdOf(data);
      const alarms = allTemplates(plain).flatMap(([file, template]) =>
        resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([id, alarm]) => {
          const actions = [alarm.Properties?.AlarmActions, alarm.Properties?.OKActions];
          // The topic itself, not a parameter: an alarm in another stack could not reach it without a stack cycle.
          const targets = actions.map((list) =>
            ((list ?? []) as { Ref?: string }[]).map(
              (action) => `${action.Ref} (${template.Resources[action.Ref ?? '']?.Type})`,
            ),
          );
          return { where: `${file} ${id}`, targets };
        }),
      );
      expect(alarms.length).toBeGreaterThanOrEqual(6);
      const topic = `${topicId} (AWS::SNS::Topic)`;
      for (const alarm of alarms)
        expect(alarm).toEqual({ where: alarm.where, targets: [[topic], [topic]] });
    });

    it('the topic is encrypted with a key CloudWatch may use (not alias/aws/sns), and refuses plain HTTP', () => {
      const topicId = topicIdOf(data);
      const topic = data.Resources[topicId]!;
      const keyRef = topic.Properties?.KmsMasterKeyId as { 'Fn::GetAtt': [string, string] };
      const key = data.Resources[keyRef['Fn::GetAtt'][0]]!;
      expect(key.Type).toBe('AWS::KMS::Key');
      expect(key.Properties?.EnableKeyRotation).toBe(true);
      const keyStatements = (key.Properties?.KeyPolicy as { Statement: Record<string, unknown>[] })
        .Statement;
      expect(keyStatements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        }),
      );
      const [, policy] = only(
        resourcesOf(data, 'AWS::SNS::TopicPolicy').filter(([, candidate]) =>
          JSON.stringify(candidate.Properties?.Topics).includes(topicId),
        ),
        'alarm topic policy',
      );
      const statements = (
        policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }
      ).Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
      expect(statements).toContainEqual(
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'cloudwatch.amazonaws.com' },
          Action: 'sns:Publish',
          Condition: { ArnLike: { 'aws:SourceArn': expect.anything() } },
        }),
      );
    });

    it('subscribes ALARM_EMAIL to the topic only when it is set', () => {
      expect(
        allTemplates(plain).flatMap(([, template]) =>
          resourcesOf(template, 'AWS::SNS::Subscription'),
        ),
      ).toEqual([]);
      const withEmailData = withEmail.nested('data').json;
      const [, subscription] = only(
        resourcesOf(withEmailData, 'AWS::SNS::Subscription'),
        'email subscription',
      );
      expect(subscription.Properties).toEqual({
        Protocol: 'email',
        Endpoint: 'ops@example.com',
        TopicArn: { Ref: topicIdOf(withEmailData) },
      });
    });

    it('alarms when the Remotion render function is throttled at all', () => {
      const throttled = resourcesOf(data, 'AWS::CloudWatch::Alarm')
        .map(([, alarm]) => alarm.Properties!)
        .filter((alarm) => alarm.MetricName === 'Throttles');
      const alarm = only(throttled, 'throttles alarm');
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Lambda',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        Statistic: 'Sum',
      });
      expect(JSON.stringify(alarm.Dimensions)).toMatch(/RemotionRenderFunction/);
    });

    it("alarms when a day's render cost exceeds DAILY_COST_ALARM_USD (default 20)", () => {
      const costAlarmOf = (template: TemplateJson) =>
        only(
          resourcesOf(template, 'AWS::CloudWatch::Alarm')
            .map(([, alarm]) => alarm.Properties!)
            .filter((alarm) => alarm.MetricName === RENDER_METRICS.names.renderCostUsd),
          'daily cost alarm',
        );
      const expected = {
        Namespace: RENDER_METRICS.namespace,
        Statistic: 'Sum',
        Period: 86_400,
        EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanThreshold',
      };
      const workerId = workerRef.slice('<{Ref:'.length, -'}>'.length);
      expect(costAlarmOf(data)).toMatchObject({
        ...expected,
        Threshold: 20,
        Dimensions: expect.arrayContaining([
          { Name: RENDER_METRICS.dimensions.service, Value: RENDER_METRICS.service },
          { Name: RENDER_METRICS.dimensions.function, Value: { Ref: workerId } },
        ]),
      });
      expect(costAlarmOf(withEmail.nested('data').json)).toMatchObject({
        ...expected,
        Threshold: 35,
      });
    });
  });

  describe('logs', () => {
    it('every Lambda function of every template writes to a log group of its template that has a retention', () => {
      const functions = allTemplates(plain).flatMap(([file, template]) =>
        resourcesOf(template, 'AWS::Lambda::Function').map(([id, fn]) => {
          const logGroup = (
            fn.Properties?.LoggingConfig as { LogGroup?: { Ref?: string } } | undefined
          )?.LogGroup;
          const group = logGroup?.Ref ? template.Resources[logGroup.Ref] : undefined;
          return {
            where: `${file} ${id}`,
            logGroupType: group?.Type,
            retentionDays: group?.Properties?.RetentionInDays,
          };
        }),
      );
      expect(functions.length).toBeGreaterThanOrEqual(8);
      for (const fn of functions) {
        expect(fn).toEqual({
          where: fn.where,
          logGroupType: 'AWS::Logs::LogGroup',
          retentionDays: expect.any(Number),
        });
      }
    });

    it("keeps our own functions' logs a month", () => {
      const ours = resourcesOf(data, 'AWS::Lambda::Function').filter(([, fn]) =>
        JSON.stringify(fn.Properties?.Tags ?? []).includes('amplify:friendly-name'),
      );
      expect(ours.length).toBeGreaterThanOrEqual(2);
      for (const [, fn] of ours) {
        const ref = (fn.Properties!.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
        expect(data.Resources[ref]!.Properties?.RetentionInDays).toBe(30);
      }
    });
  });
});
