import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PIPE_RETRY_LIMITS } from '../../amplify/render-pipeline/job-stream-pipe';
import {
  synthesizeForTests,
  type SynthesizedBackend,
  type TemplateJson,
} from './synthesized-backend';

// What local mode cannot show: bucket access under Block Public Access, the pipe's failure path,
// the region guard and the worker's grants for the calls it makes. (Every call is simulated
// against these policies in aws-permissions.test.ts.)

type Resource = TemplateJson['Resources'][string];
const resourcesOf = (json: TemplateJson, type: string): [string, Resource][] =>
  Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);
const only = <T>(items: T[], what: string): T => {
  if (items.length !== 1) throw new Error(`Expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
};

interface Statement {
  Effect: string;
  Principal?: unknown;
  Action: string | string[];
  Resource?: unknown;
  Condition?: unknown;
}
const statementsOf = (policy: Resource): Statement[] =>
  (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;

describe('cloud fidelity of the synthesized backend', () => {
  let backend: SynthesizedBackend;
  let data: { json: TemplateJson; template: Template };
  let remotion: { json: TemplateJson; template: Template };
  let all: TemplateJson[];

  beforeAll(() => {
    backend = synthesizeForTests();
    data = backend.nested('data');
    remotion = backend.nested('remotion');
    all = [backend.root, data.json, remotion.json, backend.nested('storage').json];
  });

  afterAll(() => {
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  describe('accounts with S3 Block Public Access', () => {
    it('grants no bucket access to anyone (Principal *) in any bucket policy', () => {
      const publicAllows = all.flatMap((json) =>
        resourcesOf(json, 'AWS::S3::BucketPolicy').flatMap(([id, policy]) =>
          statementsOf(policy)
            .filter(
              (s) =>
                s.Effect === 'Allow' &&
                (s.Principal === '*' || JSON.stringify(s.Principal) === '{"AWS":"*"}'),
            )
            .map((s) => `${id}: ${JSON.stringify(s.Action)}`),
        ),
      );
      expect(publicAllows).toEqual([]);
    });

    it('blocks every public access path on the Remotion and site buckets', () => {
      const buckets = resourcesOf(remotion.json, 'AWS::S3::Bucket');
      expect(buckets).toHaveLength(2);
      for (const [, bucket] of buckets) {
        expect(bucket.Properties?.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
      }
    });

    it('serves the site through CloudFront with origin access control, HTTPS only', () => {
      const [siteBucketId] = only(
        resourcesOf(remotion.json, 'AWS::S3::Bucket').filter(([id]) =>
          id.startsWith('RemotionSiteBucket'),
        ),
        'site bucket',
      );
      remotion.template.hasResourceProperties('AWS::CloudFront::Distribution', {
        DistributionConfig: Match.objectLike({
          DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only' }),
          Origins: [
            Match.objectLike({
              DomainName: { 'Fn::GetAtt': [siteBucketId, 'RegionalDomainName'] },
              OriginAccessControlId: Match.anyValue(),
            }),
          ],
        }),
      });
      // Only CloudFront (this distribution) may read the site bucket.
      const [, sitePolicy] = only(
        resourcesOf(remotion.json, 'AWS::S3::BucketPolicy').filter(
          ([, policy]) =>
            JSON.stringify(policy.Properties?.Bucket) === JSON.stringify({ Ref: siteBucketId }),
        ),
        'site bucket policy',
      );
      const reads = statementsOf(sitePolicy).filter(
        (s) => s.Effect === 'Allow' && [s.Action].flat().includes('s3:GetObject'),
      );
      expect(reads).toHaveLength(1);
      expect(reads[0]!.Principal).toEqual({ Service: 'cloudfront.amazonaws.com' });
      expect(JSON.stringify(reads[0]!.Condition)).toContain('AWS:SourceArn');
    });

    it("points the worker's serve URL at the distribution, in a folder per site version", () => {
      const [, worker] = only(
        resourcesOf(data.json, 'AWS::Lambda::Function').filter(([, fn]) =>
          JSON.stringify(fn.Properties?.Environment ?? {}).includes('REMOTION_SERVE_URL'),
        ),
        'render worker',
      );
      const url = JSON.stringify(
        (worker.Properties!.Environment as { Variables: Record<string, unknown> }).Variables
          .REMOTION_SERVE_URL,
      );
      expect(url).toMatch(/RemotionSiteDistribution[0-9A-F]{8}DomainName/);
      expect(url).toMatch(/\/sites\/[0-9a-f]{16}\/index\.html/);
    });
  });

  describe('the job stream pipe', () => {
    it('bounds its retries and keeps what it could not deliver in an alarmed DLQ', () => {
      const [, pipe] = only(resourcesOf(data.json, 'AWS::Pipes::Pipe'), 'pipe');
      const stream = (pipe.Properties!.SourceParameters as Record<string, Record<string, unknown>>)
        .DynamoDBStreamParameters!;
      expect(stream.MaximumRetryAttempts).toBe(PIPE_RETRY_LIMITS.maximumRetryAttempts);
      expect(stream.MaximumRecordAgeInSeconds).toBe(PIPE_RETRY_LIMITS.maximumRecordAgeInSeconds);
      // Below the stream's own 24 h retention: a failing target is given up on, not retried to expiry.
      expect(PIPE_RETRY_LIMITS.maximumRecordAgeInSeconds).toBeLessThan(24 * 3600);
      const dlqArn = (stream.DeadLetterConfig as { Arn: { 'Fn::GetAtt': [string, string] } }).Arn;
      const dlqId = dlqArn['Fn::GetAtt'][0];
      expect(data.json.Resources[dlqId]?.Type).toBe('AWS::SQS::Queue');
      // The pipe's role may write to it.
      const roleId = (pipe.Properties!.RoleArn as { 'Fn::GetAtt': [string, string] })[
        'Fn::GetAtt'
      ][0];
      const sends = resourcesOf(data.json, 'AWS::IAM::Policy')
        .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).includes(roleId))
        .flatMap(([, policy]) => statementsOf(policy))
        .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
        .map((s) => JSON.stringify(s.Resource));
      expect(sends.some((resource) => resource.includes(dlqId))).toBe(true);
      // And someone hears about it.
      const alarms = resourcesOf(data.json, 'AWS::CloudWatch::Alarm').filter(([, alarm]) =>
        JSON.stringify(alarm.Properties).includes(dlqId),
      );
      expect(alarms).toHaveLength(1);
    });
  });

  describe('the render worker', () => {
    const workerStatements = () => {
      const [workerId] = only(
        resourcesOf(data.json, 'AWS::Lambda::Function').filter(([, fn]) =>
          JSON.stringify(fn.Properties?.Environment ?? {}).includes('REMOTION_SERVE_URL'),
        ),
        'render worker',
      );
      const roleId = (
        data.json.Resources[workerId]!.Properties!.Role as { 'Fn::GetAtt': [string, string] }
      )['Fn::GetAtt'][0];
      return resourcesOf(data.json, 'AWS::IAM::Policy')
        .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles).includes(roleId))
        .flatMap(([, policy]) => statementsOf(policy));
    };

    it('may send fresh messages to the render queue (continueLater), not only consume them', () => {
      const queueId = only(
        resourcesOf(data.json, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('RenderQueue')),
        'render queue',
      )[0];
      const sends = workerStatements().filter(
        (s) =>
          [s.Action].flat().includes('sqs:SendMessage') &&
          JSON.stringify(s.Resource).includes(queueId),
      );
      expect(sends).toHaveLength(1);
    });

    it("may write the cancel file with its ACL into Remotion's render state", () => {
      const acl = workerStatements().filter((s) => [s.Action].flat().includes('s3:PutObjectAcl'));
      expect(acl).toHaveLength(1);
      expect(JSON.stringify(acl[0]!.Resource)).toContain('/renders/*');
    });

    it('is told the fan-out and the deadline it must fit', () => {
      data.template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            REMOTION_CONCURRENCY_PER_RENDER: Match.stringLikeRegexp('^[1-9][0-9]*$'),
            REMOTION_TIMEOUT_SECONDS: Match.stringLikeRegexp('^[1-9][0-9]*$'),
          }),
        },
      });
    });
  });

  describe('unsupported regions', () => {
    it('makes CloudFormation refuse the stack outside the regions Remotion serves', () => {
      const rules = (remotion.json as { Rules?: Record<string, { Assertions: unknown[] }> }).Rules;
      const text = JSON.stringify(rules);
      expect(text).toContain('Fn::Contains');
      expect(text).toContain('us-east-1');
      expect(text).toContain('AWS::Region');
    });

    it('fails synthesis at once, listing the supported regions', () => {
      const outDir = mkdtempSync(join(tmpdir(), 'render-studio-cn-'));
      try {
        const run = spawnSync(
          process.execPath,
          ['--import', 'tsx', join(import.meta.dirname, '../../amplify/backend.ts')],
          {
            env: {
              ...process.env,
              AWS_REGION: 'cn-north-1',
              CDK_DEFAULT_REGION: 'cn-north-1',
              CDK_OUTDIR: outDir,
              CDK_CONTEXT_JSON: JSON.stringify({
                'amplify-backend-namespace': 'render-studio',
                'amplify-backend-name': 'cn',
                'amplify-backend-type': 'sandbox',
                'aws:cdk:bundling-stacks': [],
              }),
              CDK_VALIDATION: 'false',
            },
            encoding: 'utf8',
          },
        );
        expect(run.status).not.toBe(0);
        expect(run.stderr).toMatch(
          /cannot deploy to cn-north-1: Remotion Lambda runs only in .*us-east-1/,
        );
      } finally {
        rmSync(outDir, { recursive: true, force: true });
      }
    });
  });
});
