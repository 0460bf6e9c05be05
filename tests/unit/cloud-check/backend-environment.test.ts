import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readPipelineConfig } from '../../../amplify/render-pipeline/config';
import {
  deployNamesOf,
  resolveBackendIdentifier,
} from '../../../scripts/cloud-check/backend-environment';

const local = { packageName: 'render-studio', username: 'dora' };

describe('resolveBackendIdentifier', () => {
  it("defaults, like `ampx sandbox`, to the current user's sandbox of the package", () => {
    expect(resolveBackendIdentifier({}, local)).toEqual({
      namespace: 'render-studio',
      name: 'dora',
      type: 'sandbox',
    });
  });

  it('names the sandbox after --identifier', () => {
    expect(resolveBackendIdentifier({ identifier: 'demo' }, local)).toMatchObject({
      name: 'demo',
      type: 'sandbox',
    });
  });

  it('is the Amplify app id and branch for --branch with --app-id, as `ampx pipeline-deploy` builds it', () => {
    expect(resolveBackendIdentifier({ branch: 'main', appId: 'd1a2b3c4' }, local)).toEqual({
      namespace: 'd1a2b3c4',
      name: 'main',
      type: 'branch',
    });
  });

  it('refuses half a branch, or a branch and a sandbox at once', () => {
    expect(() => resolveBackendIdentifier({ branch: 'main' }, local)).toThrow(
      /needs both --branch and --app-id, but got --branch "main" and --app-id undefined/,
    );
    expect(() =>
      resolveBackendIdentifier({ identifier: 'x', branch: 'main', appId: 'd1' }, local),
    ).toThrow(/not both/);
  });
});

describe('deployNamesOf', () => {
  it('gives the stack name ampx deploys and the render function name the synthesis gives that environment', () => {
    const backend = { namespace: 'render-studio', name: 'dev', type: 'sandbox' } as const;
    // The environment tag is the first 8 hex of sha256 over the CDK context the CLI sets.
    const tag = createHash('sha256').update('render-studio/dev/sandbox').digest('hex').slice(0, 8);

    const names = deployNamesOf(backend, readPipelineConfig({}));

    expect(names.functionName).toBe(`remotion-render-4-0-527-${tag}-mem2048mb-disk2048mb-120sec`);
    expect(names.rootStackName).toMatch(/^amplify-renderstudio-dev-sandbox-[0-9a-f]{10}$/);
  });
});
