import { App, Stack } from 'aws-cdk-lib';
import { LambdaClientInternals } from '@remotion/lambda/client';
import { describe, expect, it } from 'vitest';
import { readPipelineConfig } from '../../../amplify/render-pipeline/config';
import {
  assertRegionSupported,
  environmentTagOf,
  remotionFunctionNameOf,
  supportedRemotionRegions,
} from '../../../amplify/remotion-lambda/remotion-render-function';

const stackFor = (name: string, type: 'sandbox' | 'branch') =>
  new Stack(
    new App({
      context: {
        'amplify-backend-namespace': 'render-studio',
        'amplify-backend-name': name,
        'amplify-backend-type': type,
      },
    }),
    'Remotion',
  );

describe('the render function name', () => {
  it('differs between two environments of one account and region', () => {
    const config = readPipelineConfig({});
    const sandbox = remotionFunctionNameOf(config, environmentTagOf(stackFor('alice', 'sandbox')));
    const branch = remotionFunctionNameOf(config, environmentTagOf(stackFor('main', 'branch')));
    expect(sandbox).not.toBe(branch);
    expect(environmentTagOf(stackFor('alice', 'sandbox'))).toBe(
      environmentTagOf(stackFor('alice', 'sandbox')),
    );
  });

  it("keeps what Remotion reads from it: the role policy's prefix and the limits getRenderProgress parses", () => {
    const config = readPipelineConfig({});
    const name = remotionFunctionNameOf(config, 'a1b2c3d4');
    expect(name).toBe('remotion-render-4-0-527-a1b2c3d4-mem2048mb-disk2048mb-120sec');
    // Remotion's role policy lets the function invoke `remotion-render-*` (its own chunks).
    expect(name.startsWith('remotion-render-')).toBe(true);
    expect(LambdaClientInternals.parseFunctionName(name)).toMatchObject({
      memorySizeInMb: 2048,
      diskSizeInMb: 2048,
      timeoutInSeconds: 120,
    });
  });

  it("stays within Lambda's 64 characters at the largest settings", () => {
    const config = readPipelineConfig({
      REMOTION_MEMORY_MB: '10240',
      REMOTION_DISK_MB: '10240',
      REMOTION_TIMEOUT_SECONDS: '900',
    });
    expect(remotionFunctionNameOf(config, 'ffffffff').length).toBeLessThanOrEqual(64);
  });

  it('refuses a tag that is not 8 hex characters, and a context without the backend identifier', () => {
    expect(() => remotionFunctionNameOf(readPipelineConfig({}), 'x')).toThrow(
      /8 hex characters, but got "x"/,
    );
    expect(() => environmentTagOf(new Stack(new App(), 'Bare'))).toThrow(
      /amplify-backend-namespace .* but got undefined/,
    );
  });
});

describe('the deploy region', () => {
  it('accepts the regions Remotion serves and an unresolved (token) region', () => {
    expect(supportedRemotionRegions()).toContain('us-east-1');
    expect(() => assertRegionSupported('eu-central-1')).not.toThrow();
    expect(() => assertRegionSupported(undefined)).not.toThrow();
    expect(() => assertRegionSupported(Stack.of(stackFor('x', 'sandbox')).region)).not.toThrow();
  });

  it('refuses an unsupported region at synth, listing the supported ones', () => {
    expect(() => assertRegionSupported('cn-north-1')).toThrow(
      /cannot deploy to cn-north-1: Remotion Lambda runs only in .*us-east-1.*AWS_REGION/,
    );
  });
});
