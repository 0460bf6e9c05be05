import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readEnv } from '../../amplify/read-env';
import {
  DEPLOY_ENV_READER,
  LOCAL_ENV_READER,
  readPipelineConfig,
} from '../../amplify/render-pipeline/config';

const schema = z.object({
  PORT: z.coerce.number().int().min(1, { error: 'PORT must be a port number' }),
  NAME: z.string({ error: 'a name' }).min(1),
  OPTIONAL: z.string().optional(),
});
const reader = { what: 'The example environment', fix: 'Fix it in .env.' };

describe('readEnv', () => {
  it('parses the variables the schema names, an empty string counting as unset', () => {
    expect(readEnv(schema, { PORT: '8080', NAME: 'x', OPTIONAL: '', OTHER: 'y' }, reader)).toEqual({
      PORT: 8080,
      NAME: 'x',
    });
  });

  it('names every bad variable as "NAME must be …, but got …", then what to do', () => {
    expect(() => readEnv(schema, { PORT: '0' }, reader)).toThrow(
      'The example environment is invalid:\n' +
        '  PORT must be a port number, but got "0"\n' +
        '  NAME must be a name, but got nothing (unset)\n' +
        'Fix it in .env.',
    );
  });
});

describe('the pipeline configuration', () => {
  it('tells a deployer where deployed settings live, and a local-mode user where theirs do', () => {
    const bad = { RENDER_CAP: 'lots' };
    expect(() => readPipelineConfig(bad)).toThrow(DEPLOY_ENV_READER.fix);
    expect(() => readPipelineConfig(bad, LOCAL_ENV_READER)).toThrow(LOCAL_ENV_READER.fix);
    expect(() => readPipelineConfig(bad, LOCAL_ENV_READER)).not.toThrow(/Amplify Hosting/);
  });
});
