import { describe, expect, it } from 'vitest';
import {
  isLocalMode,
  loadAmplifyOutputs,
  parseAmplifyOutputs,
} from '../../src/lib/amplify-outputs';

const validOutputs = {
  version: '1.4',
  auth: { aws_region: 'us-east-1', user_pool_id: 'us-east-1_x', user_pool_client_id: 'client' },
  data: {
    url: 'https://api.example.com/graphql',
    aws_region: 'us-east-1',
    model_introspection: {},
  },
};

const answer = (status: number, body: string) =>
  (async () => new Response(body, { status })) as typeof fetch;

describe('amplify_outputs.json', () => {
  it('accepts cloud outputs and tells local mode by custom.local_endpoints', () => {
    const cloud = parseAmplifyOutputs(validOutputs);
    expect(cloud.ok && isLocalMode(cloud.outputs)).toBe(false);
    const local = parseAmplifyOutputs({
      ...validOutputs,
      custom: { local_endpoints: { cognito: 'http://127.0.0.1:9229' } },
    });
    expect(local.ok && isLocalMode(local.outputs)).toBe(true);
  });

  it('names the field that is wrong', () => {
    const result = parseAmplifyOutputs({
      ...validOutputs,
      data: { ...validOutputs.data, url: 'not a url' },
    });
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    expect(!result.ok && result.message).toMatch(
      /^amplify_outputs\.json is not usable: data\.url: /,
    );
  });

  it('reports a missing file (a 404, or the dev server answering HTML) as missing', async () => {
    expect(await loadAmplifyOutputs(answer(404, 'nope'))).toMatchObject({
      ok: false,
      reason: 'missing',
    });
    expect(await loadAmplifyOutputs(answer(200, '<!doctype html>'))).toMatchObject({
      ok: false,
      reason: 'missing',
    });
    expect(await loadAmplifyOutputs(answer(200, JSON.stringify(validOutputs)))).toMatchObject({
      ok: true,
    });
  });
});
