import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPipelineConfig, renderLimitsOf } from '../../amplify/render-pipeline/config';
import {
  parseAmplifyOutputs,
  readRenderLimits,
  toRenderLimitsOutput,
} from '../../src/lib/amplify-outputs';
import { synthesizeForTests, type SynthesizedBackend } from './synthesized-backend';

// Not the defaults, so a hard-coded 120 s or 2 renderers cannot pass: budget 30 plans 4 renders of 5 renderers.
const DEPLOYED_ENV = { REMOTION_TIMEOUT_SECONDS: '300', LAMBDA_CONCURRENCY_BUDGET: '30' };

/** The root stack's outputs; Amplify puts every `backend.addOutput` into one JSON string, `customOutputs`. */
type OutputsJson = { Outputs?: Record<string, { Value?: unknown }> };

/** Everything `backend.addOutput` added, as `ampx` merges it into amplify_outputs.json. */
const customOutputsOf = (backend: SynthesizedBackend): Record<string, unknown> => {
  const value = (backend.root as OutputsJson).Outputs?.customOutputs?.Value;
  if (typeof value !== 'string') {
    throw new Error(
      `Expected the root template to output customOutputs as a JSON string (backend.addOutput), but got ${JSON.stringify(value)}`,
    );
  }
  return JSON.parse(value) as Record<string, unknown>;
};

describe('the render limits the backend publishes', () => {
  let backend: SynthesizedBackend;
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    // The synth child process inherits this environment, as `ampx` would pass Amplify Hosting's variables.
    for (const [name, value] of Object.entries(DEPLOYED_ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    try {
      backend = synthesizeForTests();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  afterAll(() => {
    if (backend) rmSync(backend.outDir, { recursive: true, force: true });
  });

  it("puts the deployment's limits into amplify_outputs.json custom.render_limits", () => {
    const limits = renderLimitsOf(readPipelineConfig({ ...process.env, ...DEPLOYED_ENV }));
    expect(limits).toEqual({ remotionTimeoutSeconds: 300, renderersPerRender: 5 });

    const published = customOutputsOf(backend) as { custom?: { render_limits?: unknown } };
    expect(published.custom?.render_limits).toEqual(toRenderLimitsOutput(limits));
  });

  it('publishes them in a shape the studio reads back', () => {
    const outputs = parseAmplifyOutputs({
      version: '1.4',
      auth: { aws_region: 'us-east-1', user_pool_id: 'pool', user_pool_client_id: 'client' },
      data: {
        url: 'https://api.example.com/graphql',
        aws_region: 'us-east-1',
        model_introspection: {},
      },
      ...customOutputsOf(backend),
    });
    if (!outputs.ok) throw new Error(outputs.message);
    expect(readRenderLimits(outputs.outputs)).toEqual({
      remotionTimeoutSeconds: 300,
      renderersPerRender: 5,
    });
  });
});
