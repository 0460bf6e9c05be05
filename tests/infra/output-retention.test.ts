// Retention in the cloud (docs/architecture.md, "Outputs"): S3 lifecycle rules on the output prefix and on Remotion's
// render state, following OUTPUT_RETENTION_DAYS, and the worker stamping jobs with the same number of days.
import { rmSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { synthesizeForTests, type SynthesizedBackend } from './synthesized-backend';

// A retention other than the default, so the test shows the setting reaches every place, not the default by chance.
const RETENTION_DAYS = 12;

describe('output retention, synthesized with OUTPUT_RETENTION_DAYS=12', () => {
  let backend: SynthesizedBackend;
  let storage: Template;
  let remotion: Template;
  let data: Template;

  beforeAll(() => {
    vi.stubEnv('OUTPUT_RETENTION_DAYS', String(RETENTION_DAYS));
    backend = synthesizeForTests();
    storage = backend.nested('storage').template;
    remotion = backend.nested('remotion').template;
    data = backend.nested('data').template;
  });

  afterAll(() => {
    vi.unstubAllEnvs();
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  it('expires finished videos and posters under renders/ in the output bucket after 12 days', () => {
    storage.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          {
            Id: 'ExpireRenderOutputs',
            Prefix: 'renders/',
            Status: 'Enabled',
            ExpirationInDays: RETENTION_DAYS,
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
          },
        ],
      },
    });
  });

  it("expires Remotion's render state under renders/ after at most 7 days, and nothing else in that bucket", () => {
    const buckets = Object.entries(remotion.findResources('AWS::S3::Bucket'))
      .filter(([logicalId]) => logicalId.startsWith('RemotionBucket'))
      .map(([, bucket]) => bucket);
    const rules = buckets.map(
      (bucket) =>
        (bucket as { Properties: { LifecycleConfiguration?: { Rules: unknown[] } } }).Properties
          .LifecycleConfiguration?.Rules,
    );
    expect(rules).toEqual([
      [
        {
          Id: 'ExpireRenderState',
          Prefix: 'renders/',
          Status: 'Enabled',
          ExpirationInDays: 7,
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    ]);
  });

  it('tells the render worker the same retention, for the expiresAt it writes on each finished job', () => {
    data.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          REMOTION_SERVE_URL: Match.anyValue(),
          OUTPUT_RETENTION_DAYS: String(RETENTION_DAYS),
        }),
      },
    });
  });
});
