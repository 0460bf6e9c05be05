import type { _Record } from '@aws-sdk/client-dynamodb-streams';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRolePolicy } from '@remotion/lambda/policies';
import { readPipelineConfig } from '../../amplify/render-pipeline/config';
import { jobIdOfInsert } from '../../local/pipeline/job-stream-reader';
import { RENDER_WORKER_MEMORY_MB } from '../../amplify/functions/render-worker/resource';
import { JOB_STATUS_INDEX, WAKE_UP_CONCURRENCY } from '../../contract/job-contract';
import {
  assetFileOf,
  synthesizeForTests,
  type SynthesizedBackend,
  type TemplateJson,
  validateAllTemplates,
} from './synthesized-backend';

// The synth child process sees this same environment, so this is the config it used.
const config = readPipelineConfig(process.env);

type Resource = TemplateJson['Resources'][string];
const resourcesOf = (json: TemplateJson, type: string): [string, Resource][] =>
  Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
const only = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new Error(`Expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
};

/**
 * The two EventBridge pattern rules the Pipe's filter uses, as documented: a list of values matches a leaf equal to
 * one of them; `[{ exists: false }]` matches when the leaf is absent. Anything else is refused, so a pattern using
 * more than this fails the test rather than passing unjudged.
 */
const matchesPattern = (pattern: Record<string, unknown>, event: unknown): boolean =>
  Object.entries(pattern).every(([key, rule]) => {
    const value = (event as Record<string, unknown> | undefined)?.[key];
    if (!Array.isArray(rule)) return matchesPattern(rule as Record<string, unknown>, value);
    if (rule.length === 1 && JSON.stringify(rule[0]) === '{"exists":false}')
      return value === undefined;
    if (rule.some((item) => typeof item === 'object'))
      throw new Error(`This check does not judge the rule ${JSON.stringify(rule)}`);
    return rule.includes(value);
  });

describe('the synthesized backend', () => {
  let backend: SynthesizedBackend;
  let data: { json: TemplateJson; template: Template };
  let remotion: { json: TemplateJson; template: Template };
  let workerId: string;
  let worker: Resource;

  beforeAll(() => {
    backend = synthesizeForTests();
    data = backend.nested('data');
    remotion = backend.nested('remotion');
    [workerId, worker] = only(
      resourcesOf(data.json, 'AWS::Lambda::Function').filter(
        ([, fn]) =>
          (fn.Properties?.Environment as { Variables?: object })?.Variables &&
          'REMOTION_SERVE_URL' in (fn.Properties!.Environment as { Variables: object }).Variables,
      ),
      'render worker function',
    );
  });

  afterAll(() => {
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  describe('synthesis', () => {
    it('passes CloudFormation validation, nested templates included', () => {
      // CDK's built-in validation only sees top-level stacks; Amplify nests everything, so run
      // the same validator over every template.
      const violations = validateAllTemplates(backend.outDir).filter(
        (violation) => violation.severity === 'error' || violation.severity === 'fatal',
      );
      expect(violations.map((v) => `${v.ruleName} ${v.description}`)).toEqual([]);
    });

    it('has no circular dependency between its stacks', () => {
      // Edges: a nested stack that reads another's outputs (GetAtt X.Outputs.Y) or DependsOn it.
      const stacks = Object.fromEntries(resourcesOf(backend.root, 'AWS::CloudFormation::Stack'));
      const edges = new Map<string, Set<string>>();
      for (const [id, stack] of Object.entries(stacks)) {
        const text = JSON.stringify(stack);
        const needs = new Set(stack.DependsOn ?? []);
        for (const other of Object.keys(stacks)) {
          if (other !== id && text.includes(`"${other}"`)) needs.add(other);
        }
        edges.set(id, needs);
      }
      expect(edges.size).toBeGreaterThanOrEqual(4);
      const order: string[] = [];
      const visiting = new Set<string>();
      const visit = (id: string, path: string[]) => {
        if (order.includes(id)) return;
        if (visiting.has(id)) throw new Error(`Stack cycle: ${[...path, id].join(' → ')}`);
        visiting.add(id);
        for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
        visiting.delete(id);
        order.push(id);
      };
      for (const id of edges.keys()) visit(id, []);
      // data reads remotion and storage outputs; remotion reads storage; nothing reads data.
      const name = (prefix: string) => [...edges.keys()].find((id) => id.startsWith(prefix))!;
      expect([...edges.get(name('data'))!]).toEqual(
        expect.arrayContaining([name('remotion'), name('storage')]),
      );
      for (const [, needs] of edges) expect(needs.has(name('data'))).toBe(false);
    });
  });

  describe('render queue and DLQ', () => {
    it('encrypts every queue and redrives to the DLQ after 3 receives', () => {
      const queues = resourcesOf(data.json, 'AWS::SQS::Queue');
      // The render queue, the wake-up queue, their DLQ and the stream pipe's DLQ (dead letters are kept in the
      // DeadLetterRecord model), and the webhook queue, its DLQ and the webhook fan-out's DLQ.
      expect(queues.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(
        [
          'JobStreamPipeDeadLetterQueue',
          'RenderDeadLetterQueue',
          'RenderQueue',
          'RenderWakeQueue',
          'WebhookDeadLetterQueue',
          'WebhookFanoutDeadLetterQueue',
          'WebhookQueue',
        ].sort(),
      );
      for (const [, queue] of queues) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
      const [dlqId] = only(
        queues.filter(([id]) => id.startsWith('RenderDeadLetterQueue')),
        'dead-letter queue',
      );
      data.template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
          maxReceiveCount: 3,
        },
      });
    });

    it('keeps DLQ messages 14 days', () => {
      const [, dlq] = only(
        resourcesOf(data.json, 'AWS::SQS::Queue').filter(([id]) =>
          id.startsWith('RenderDeadLetterQueue'),
        ),
        'dead-letter queue',
      );
      expect(dlq.Properties?.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    });

    it("sets the queue's visibility timeout above the worker's timeout", () => {
      const [, queue] = only(
        resourcesOf(data.json, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('RenderQueue')),
        'render queue',
      );
      const workerTimeout = worker.Properties?.Timeout as number;
      expect(workerTimeout).toBeGreaterThan(0);
      expect(queue.Properties?.VisibilityTimeout as number).toBeGreaterThan(workerTimeout);
    });
  });

  describe("the worker's size", () => {
    it('runs on arm64 at the memory sized from its measured peak, not the 1 GB it had', () => {
      expect(worker.Properties?.Architectures).toEqual(['arm64']);
      expect(worker.Properties?.MemorySize).toBe(RENDER_WORKER_MEMORY_MB);
      // The bench measured the bundled handler at ~145 MB RSS: the setting must keep room above it.
      expect(RENDER_WORKER_MEMORY_MB).toBeGreaterThanOrEqual(256);
      expect(RENDER_WORKER_MEMORY_MB).toBeLessThan(1024);
    });
  });

  describe('pipe from the Job table stream', () => {
    it('passes INSERT events of single jobs only (never batch rows) and sends only the job id', () => {
      const [, pipe] = only(resourcesOf(data.json, 'AWS::Pipes::Pipe'), 'pipe');
      const source = pipe.Properties?.SourceParameters as {
        FilterCriteria: { Filters: { Pattern: string }[] };
      };
      const patterns = source.FilterCriteria.Filters.map(
        (filter) => JSON.parse(filter.Pattern) as Record<string, unknown>,
      );
      // `exists` works on leaf fields only (EventBridge's documented rule), so the row's mark is `batchId.S`.
      expect(patterns).toEqual([
        { eventName: ['INSERT'], dynamodb: { NewImage: { batchId: { S: [{ exists: false }] } } } },
      ]);
      // The local Pipe's filter decides as the deployed pattern does, on a single job, a batch row and an update.
      const single: _Record = {
        eventName: 'INSERT',
        dynamodb: { NewImage: { id: { S: 'job-1' } } },
      };
      const row: _Record = {
        eventName: 'INSERT',
        dynamodb: { NewImage: { id: { S: 'b-row-00001' }, batchId: { S: 'b' } } },
      };
      const update: _Record = {
        eventName: 'MODIFY',
        dynamodb: { NewImage: { id: { S: 'job-1' } } },
      };
      for (const record of [single, row, update])
        expect(jobIdOfInsert(record) !== undefined).toBe(matchesPattern(patterns[0]!, record));
      expect(jobIdOfInsert(single)).toBe('job-1');
      expect(jobIdOfInsert(row)).toBeUndefined();
      const template = (pipe.Properties?.TargetParameters as { InputTemplate: string })
        .InputTemplate;
      // Pipes substitutes <$.path> with the value: parse with a marker in its place.
      const paths: string[] = [];
      const body = JSON.parse(
        template.replace(/<(\$\.[^>]+)>/g, (_, path: string) => (paths.push(path), 'PATH')),
      ) as Record<string, unknown>;
      expect(body).toEqual({ jobId: 'PATH' });
      expect(paths).toEqual(['$.dynamodb.NewImage.id.S']);
    });

    it('reads the Job table stream and targets the render queue', () => {
      const [, pipe] = only(resourcesOf(data.json, 'AWS::Pipes::Pipe'), 'pipe');
      expect(JSON.stringify(pipe.Properties?.Source)).toMatch(/amplifyDataJob.*TableStreamArn/);
      const [queueId] = only(
        resourcesOf(data.json, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('RenderQueue')),
        'render queue',
      );
      expect(pipe.Properties?.Target).toEqual({ 'Fn::GetAtt': [queueId, 'Arn'] });
    });
  });

  describe('event source mappings', () => {
    it('feeds the worker one message at a time, at most the render cap at once, with partial failures', () => {
      const [queueId] = only(
        resourcesOf(data.json, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('RenderQueue')),
        'render queue',
      );
      data.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        FunctionName: { Ref: workerId },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: config.renderCap },
      });
    });

    it("feeds Remotion's wake-ups to the worker from their own queue, beside the render cap, dead letters to the DLQ", () => {
      const queues = resourcesOf(data.json, 'AWS::SQS::Queue');
      const [wakeId, wakeQueue] = only(
        queues.filter(([id]) => id.startsWith('RenderWakeQueue')),
        'wake-up queue',
      );
      const [dlqId] = only(
        queues.filter(([id]) => id.startsWith('RenderDeadLetterQueue')),
        'dead-letter queue',
      );
      expect(wakeQueue.Properties?.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: 3,
      });
      expect(wakeQueue.Properties?.VisibilityTimeout as number).toBeGreaterThan(
        worker.Properties?.Timeout as number,
      );
      data.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [wakeId, 'Arn'] },
        FunctionName: { Ref: workerId },
        BatchSize: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: WAKE_UP_CONCURRENCY },
      });
      const env = (worker.Properties?.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env.WAKE_QUEUE_ARN).toEqual({ 'Fn::GetAtt': [wakeId, 'Arn'] });
    });

    it('also feeds the DLQ to the worker, which marks those jobs FAILED', () => {
      const [dlqId] = only(
        resourcesOf(data.json, 'AWS::SQS::Queue').filter(([id]) =>
          id.startsWith('RenderDeadLetterQueue'),
        ),
        'dead-letter queue',
      );
      data.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        FunctionName: { Ref: workerId },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const env = (worker.Properties?.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env.RENDER_DLQ_ARN).toEqual({ 'Fn::GetAtt': [dlqId, 'Arn'] });
    });
  });

  describe('render worker', () => {
    it('runs on Node 22 or later with the whole env contract', () => {
      expect(worker.Properties?.Runtime).toMatch(/^nodejs(2[2-9]|[3-9]\d)\.x$/);
      const env = (worker.Properties?.Environment as { Variables: Record<string, unknown> })
        .Variables;
      for (const name of [
        'RENDER_CAP',
        'REMOTION_FUNCTION_NAME',
        'REMOTION_SERVE_URL',
        'REMOTION_REGION',
        'OUTPUT_BUCKET_NAME',
        'OUTPUT_PREFIX',
        'MAX_ACTIVE_JOBS_PER_USER',
        'RENDER_QUEUE_URL',
        'RENDER_DLQ_URL',
        'AMPLIFY_DATA_GRAPHQL_ENDPOINT',
        'JOB_TABLE_NAME',
        'RENDER_SLOT_TABLE_NAME',
      ]) {
        expect(env, name).toHaveProperty(name);
      }
      expect(env.RENDER_CAP).toBe(String(config.renderCap));
    });

    it("queries the Job table's status index by the name Amplify gives it", () => {
      // The worker names the index itself (contract/job-contract.ts); a renamed index would fail every start.
      const tables = backend
        .all()
        .flatMap(({ json }) => Object.values(json.Resources))
        .filter((resource) => /DynamoDB/.test(resource.Type))
        .map((resource) => resource.Properties ?? {})
        .filter(
          (properties) =>
            /^Job-/.test(String(properties.tableName ?? properties.TableName)) ||
            JSON.stringify(properties).includes('"jobsByOwnerAndCreatedAt"'),
        );
      const indexes = tables.flatMap(
        (properties) =>
          (properties.globalSecondaryIndexes ?? properties.GlobalSecondaryIndexes ?? []) as {
            indexName?: string;
            IndexName?: string;
            keySchema?: { attributeName: string }[];
            KeySchema?: { AttributeName: string }[];
          }[],
      );
      const status = indexes.find(
        (index) => (index.indexName ?? index.IndexName) === JOB_STATUS_INDEX,
      );
      expect(
        status,
        JSON.stringify(indexes.map((index) => index.indexName ?? index.IndexName)),
      ).toBeDefined();
      expect(
        (status!.keySchema ?? [])
          .map((key) => key.attributeName)
          .concat((status!.KeySchema ?? []).map((key) => key.AttributeName)),
      ).toEqual(['status', 'createdAt']);
    });

    it('may invoke the Remotion render function and nothing else', () => {
      const role = (worker.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = resourcesOf(data.json, 'AWS::IAM::Policy')
        .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).includes(`"${role}"`))
        .flatMap(
          ([, policy]) =>
            (policy.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] })
              .Statement,
        );
      const invokes = statements.filter((statement) =>
        [statement.Action]
          .flat()
          .some((action) => /^lambda:(InvokeFunction|\*)$|^\*$/.test(String(action))),
      );
      expect(invokes).toHaveLength(1);
      const resources = [invokes[0]!.Resource].flat();
      expect(resources).toHaveLength(1);
      expect(resources[0]).not.toBe('*');
      expect(JSON.stringify(resources[0])).toMatch(/remotionRemotionRenderFunction[0-9A-F]{8}Arn/);
      // No statement of the worker's grants anything on every resource.
      for (const statement of statements) expect([statement.Resource].flat()).not.toContain('*');
      // S3: object actions under the two prefixes only (plus the one schema file Amplify's
      // data client reads).
      const s3 = statements.filter((statement) =>
        [statement.Action].flat().some((action) => String(action).startsWith('s3:')),
      );
      expect(s3.length).toBeGreaterThan(0);
      for (const statement of s3) {
        for (const resource of [statement.Resource].flat()) {
          expect(JSON.stringify(resource)).toMatch(
            new RegExp(
              `"/(renders|${config.outputPrefix.slice(0, -1)})/\\*"|modelIntrospectionSchemaBucket.*"/modelIntrospectionSchema\\.json"`,
            ),
          );
        }
      }
    });
  });

  describe('alarms', () => {
    it('alarms when the DLQ is not empty, the oldest message is too old, the worker errors, and the pipe gives up', () => {
      const alarms = resourcesOf(data.json, 'AWS::CloudWatch::Alarm').map(([, alarm]) =>
        JSON.stringify(alarm.Properties),
      );
      expect(alarms.length).toBeGreaterThanOrEqual(4);
      const dlqId = only(
        resourcesOf(data.json, 'AWS::SQS::Queue').filter(([id]) =>
          id.startsWith('RenderDeadLetterQueue'),
        ),
        'dead-letter queue',
      )[0];
      expect(
        alarms.filter(
          (alarm) => alarm.includes('ApproximateNumberOfMessagesVisible') && alarm.includes(dlqId),
        ),
      ).toHaveLength(1);
      data.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Namespace: 'AWS/SQS',
        Threshold: config.oldestMessageAlarmSeconds,
      });
      data.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: workerId } }],
      });
    });
  });

  describe('Remotion render function', () => {
    it("is Remotion's function: zip, handler, arm64, Node 24, limits, name, tags", () => {
      const [, fn] = only(
        resourcesOf(remotion.json, 'AWS::Lambda::Function').filter(([id]) =>
          id.startsWith('RemotionRenderFunction'),
        ),
        'Remotion render function',
      );
      const props = fn.Properties!;
      expect(props.Architectures).toEqual(['arm64']);
      expect(props.Handler).toBe('index.handler');
      expect(props.Runtime).toBe('nodejs24.x');
      expect(props.MemorySize).toBe(config.remotionMemorySizeInMb);
      expect(props.Timeout).toBe(config.remotionTimeoutSeconds);
      expect(props.EphemeralStorage).toEqual({ Size: config.remotionDiskSizeInMb });
      // Remotion's name with this environment's tag after the version (unique per sandbox/branch).
      expect(props.FunctionName).toMatch(
        new RegExp(
          `^remotion-render-4-0-527-[0-9a-f]{8}-mem${config.remotionMemorySizeInMb}mb-disk${config.remotionDiskSizeInMb}mb-${config.remotionTimeoutSeconds}sec$`,
        ),
      );
      expect(props.Tags).toEqual(
        expect.arrayContaining([{ Key: 'remotion-lambda', Value: 'true' }]),
      );
      // Four hosted layers, picked by region from Remotion's list.
      expect(props.Layers).toHaveLength(4);
      expect(JSON.stringify(props.Layers)).toContain('Fn::FindInMap');
      remotion.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 0,
      });
    });

    it("uses Remotion's hosted layers for each region", () => {
      const mapping = Object.values(remotion.json.Mappings ?? {})[0] as Record<
        string,
        Record<string, string>
      >;
      expect(mapping['us-east-1']?.chromium).toMatch(
        /^arn:aws:lambda:us-east-1:678892195805:layer:remotion-binaries-chromium-arm64:\d+$/,
      );
      expect(Object.keys(mapping).length).toBeGreaterThanOrEqual(20);
    });

    it("has a role with Remotion's suggested policy", () => {
      const [, role] = only(
        resourcesOf(remotion.json, 'AWS::IAM::Role').filter(([id]) =>
          id.startsWith('RemotionRenderRole'),
        ),
        'Remotion role',
      );
      const inline = (
        role.Properties?.Policies as { PolicyDocument: { Statement: { Action: unknown }[] } }[]
      )[0]!;
      const suggested = JSON.parse(getRolePolicy()) as { Statement: { Action: unknown }[] };
      expect(inline.PolicyDocument.Statement.map((s) => [s.Action].flat())).toEqual(
        suggested.Statement.map((s) => [s.Action].flat()),
      );
    });

    it('keeps render state in a remotionlambda-* bucket and deploys the site into a folder per version', () => {
      remotion.template.hasResourceProperties('AWS::S3::Bucket', {
        BucketName: { 'Fn::Join': ['', Match.arrayWith(['remotionlambda-'])] },
      });
      remotion.template.hasResourceProperties('Custom::CDKBucketDeployment', {
        DestinationBucketKeyPrefix: Match.stringLikeRegexp('^sites/[0-9a-f]{16}/$'),
      });
    });
  });

  describe('video URL signer', () => {
    it('signs with an IAM user that may only read finished videos', () => {
      const storage = backend.nested('storage');
      const [, user] = only(resourcesOf(storage.json, 'AWS::IAM::User'), 'signer user');
      expect(user).toBeDefined();
      const policies = resourcesOf(storage.json, 'AWS::IAM::Policy').filter(([, policy]) =>
        JSON.stringify(policy.Properties?.Users ?? []).includes('VideoUrlSigner'),
      );
      const statements = policies.flatMap(
        ([, policy]) =>
          (
            policy.Properties?.PolicyDocument as {
              Statement: { Action: unknown; Resource: unknown }[];
            }
          ).Statement,
      );
      expect(statements.map((s) => s.Action)).toEqual(['s3:GetObject']);
      expect(JSON.stringify(statements[0]!.Resource)).toContain(`/${config.outputPrefix}*`);
    });
  });

  describe('video-url function', () => {
    it('gets the table, bucket and signer secret, may read only one Job item and that secret', () => {
      const [id, fn] = only(
        resourcesOf(data.json, 'AWS::Lambda::Function').filter(([, candidate]) =>
          JSON.stringify(candidate.Properties?.Environment ?? {}).includes(
            'VIDEO_URL_SIGNER_SECRET_ARN',
          ),
        ),
        'video-url function',
      );
      const env = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(Object.keys(env)).toEqual(
        expect.arrayContaining(['JOB_TABLE_NAME', 'OUTPUT_BUCKET_NAME', 'VIDEO_URL_TTL_SECONDS']),
      );
      expect(Number(env.VIDEO_URL_TTL_SECONDS)).toBeGreaterThanOrEqual(3600);
      const role = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = resourcesOf(data.json, 'AWS::IAM::Policy')
        .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).includes(`"${role}"`))
        .flatMap(
          ([, policy]) =>
            (
              policy.Properties?.PolicyDocument as {
                Statement: { Action: unknown; Resource: unknown }[];
              }
            ).Statement,
        );
      const actions = statements.flatMap((statement) => [statement.Action].flat());
      expect(actions).toContain('dynamodb:GetItem');
      expect(actions.filter((action) => String(action).startsWith('s3:'))).toEqual([]);
      for (const statement of statements) expect([statement.Resource].flat()).not.toContain('*');
      expect(id).toMatch(/^videourl/);
    });
  });

  describe('remotion-webhook endpoint', () => {
    const webhookFunction = () =>
      only(
        resourcesOf(data.json, 'AWS::Lambda::Function').filter(([, candidate]) =>
          JSON.stringify(candidate.Properties?.Environment ?? {}).includes('WAKE_QUEUE_URL'),
        ),
        'remotion-webhook function',
      );

    it('has a function URL with auth NONE (Remotion cannot sign SigV4), the URL the worker passes to Remotion', () => {
      const [id] = webhookFunction();
      const [urlId, url] = only(
        resourcesOf(data.json, 'AWS::Lambda::Url').filter(
          ([, candidate]) =>
            JSON.stringify(candidate.Properties?.TargetFunctionArn) ===
            JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }),
        ),
        'function URL of the remotion-webhook function',
      );
      expect(url.Properties?.AuthType).toBe('NONE');
      const env = (worker.Properties?.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env.REMOTION_WEBHOOK_URL).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
      // The worker reads the same secret the endpoint checks signatures with.
      const [, fn] = webhookFunction();
      const fnEnv = (fn.Properties?.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(env.REMOTION_WEBHOOK_SECRET_ARN).toEqual(fnEnv.REMOTION_WEBHOOK_SECRET_ARN);
      expect(fnEnv.REMOTION_WEBHOOK_SECRET_ARN).toBeDefined();
    });

    it('may only read the webhook secret and send to the wake-up queue', () => {
      const [, fn] = webhookFunction();
      const role = (fn.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = resourcesOf(data.json, 'AWS::IAM::Policy')
        .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).includes(`"${role}"`))
        .flatMap(
          ([, policy]) =>
            (
              policy.Properties?.PolicyDocument as {
                Statement: { Action: unknown; Resource: unknown }[];
              }
            ).Statement,
        );
      const env = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      const grants = statements.map((statement) => ({
        actions: [statement.Action].flat(),
        resources: [statement.Resource].flat(),
      }));
      const wakeQueueId = (env.WAKE_QUEUE_URL as { Ref: string }).Ref;
      expect(wakeQueueId).toMatch(/^RenderWakeQueue/);
      const queueArn = { 'Fn::GetAtt': [wakeQueueId, 'Arn'] };
      expect(grants).toEqual([
        {
          actions: ['secretsmanager:GetSecretValue'],
          resources: [env.REMOTION_WEBHOOK_SECRET_ARN],
        },
        { actions: ['sqs:SendMessage'], resources: [queueArn] },
      ]);
      // Only the managed basic-execution policy besides: logs, nothing else.
      const [, roleResource] = only(
        resourcesOf(data.json, 'AWS::IAM::Role').filter(([roleId]) => roleId === role),
        'remotion-webhook role',
      );
      expect(JSON.stringify(roleResource.Properties?.ManagedPolicyArns)).toMatch(
        /AWSLambdaBasicExecutionRole/,
      );
      expect(roleResource.Properties?.ManagedPolicyArns).toHaveLength(1);
    });
  });

  describe("the Job model's generated authorization", () => {
    const authTemplateOf = (field: string, which: 'Request' | 'Response') => {
      const job = backend.nested('dataamplifyDataJob');
      const [, fn] = only(
        resourcesOf(job.json, 'AWS::AppSync::FunctionConfiguration').filter(
          ([, config]) => config.Properties?.Name === `${field}auth0Function`,
        ),
        `${field} auth function`,
      );
      return backend.asset(assetFileOf(fn.Properties?.[`${which}MappingTemplateS3Location`]));
    };
    const ownerAllowedFieldsOf = (vtl: string): string[] => {
      const match = /\$ownerAllowedFields0 = (\[[^\]]*\])/.exec(vtl);
      if (!match) throw new Error(`No owner field list in:\n${vtl}`);
      return JSON.parse(match[1]!) as string[];
    };
    const serverFields = [
      'status',
      'progress',
      'renderId',
      'outputKey',
      'errorMessage',
      'costUsd',
      'attempts',
    ];

    it('lets the owner create with input fields only, never server fields', () => {
      const allowed = ownerAllowedFieldsOf(authTemplateOf('MutationcreateJob', 'Request'));
      expect(allowed).toEqual(expect.arrayContaining(['compositionId', 'inputProps', 'title']));
      for (const field of serverFields) expect(allowed).not.toContain(field);
    });

    it('lets the owner update cancelRequested and nothing else', () => {
      const allowed = ownerAllowedFieldsOf(authTemplateOf('MutationupdateJob', 'Response'));
      expect(allowed.sort()).toEqual(['cancelRequested', 'id']);
    });

    it('lets only the owner read, and refuses delete to users', () => {
      const read = authTemplateOf('QuerygetJob', 'Request');
      expect(read).toContain('$authFilter.add({"owner": { "eq": $ownerClaim0 }})');
      expect(read).not.toMatch(/groups|\$util\.authType\(\) == "API Key/);
      const api = only(resourcesOf(data.json, 'AWS::AppSync::GraphQLApi'), 'GraphQL API')[1];
      expect(api.Properties?.AuthenticationType).toBe('AMAZON_COGNITO_USER_POOLS');
      expect(JSON.stringify(api.Properties?.AdditionalAuthenticationProviders)).not.toContain(
        'API_KEY',
      );
      const del = authTemplateOf('MutationdeleteJob', 'Response');
      expect(del).not.toContain('ownerAllowedFields');
    });

    it('exposes getJobVideoUrl to signed-in users through the video-url function', () => {
      const schema = backend.asset(
        assetFileOf(
          only(resourcesOf(data.json, 'AWS::AppSync::GraphQLSchema'), 'schema')[1].Properties
            ?.DefinitionS3Location,
        ),
      );
      expect(schema).toMatch(/getJobVideoUrl\(jobId: ID!\): VideoUrl[^\n]*@aws_cognito_user_pools/);
      expect(schema).toMatch(/type VideoUrl[^{]*\{\s*url: String!\s*expiresAt: AWSDateTime!/);
    });
  });
});
