import { FUNCTION_ENV_FIX } from '../../../amplify/read-env';
import { describe, expect, it } from 'vitest';
import { parseWorkerEnv } from '../../../amplify/functions/render-worker/worker-config';

const validEnv = {
  RENDER_CAP: '4',
  REMOTION_FUNCTION_NAME: 'remotion-render-4-0-527-mem2048mb-disk2048mb-120sec',
  REMOTION_SERVE_URL: 'https://bucket.s3.eu-central-1.amazonaws.com/sites/studio/index.html',
  REMOTION_REGION: 'eu-central-1',
  OUTPUT_BUCKET_NAME: 'render-studio-output',
  RENDER_QUEUE_URL: 'https://sqs.eu-central-1.amazonaws.com/123456789012/render-queue',
  RENDER_DLQ_ARN: 'arn:aws:sqs:eu-central-1:123456789012:render-dlq',
  JOB_TABLE_NAME: 'Job-abc123-NONE',
  RENDER_SLOT_TABLE_NAME: 'RenderSlot-abc123-NONE',
};

describe('worker environment', () => {
  it('parses a complete environment, with defaults for the optional settings', () => {
    expect(parseWorkerEnv(validEnv)).toEqual({
      ...validEnv,
      RENDER_CAP: 4,
      OUTPUT_PREFIX: 'renders/',
      MAX_ACTIVE_JOBS_PER_USER: 3,
      MAX_RECEIVE_COUNT: 3,
      OUTPUT_RETENTION_DAYS: 30,
    });
    expect(
      parseWorkerEnv({ ...validEnv, MAX_ACTIVE_JOBS_PER_USER: '5', OUTPUT_PREFIX: 'out/' }),
    ).toMatchObject({
      MAX_ACTIVE_JOBS_PER_USER: 5,
      OUTPUT_PREFIX: 'out/',
    });
  });

  it('reads the output retention in days, a whole number from 1 to 3650', () => {
    expect(parseWorkerEnv({ ...validEnv, OUTPUT_RETENTION_DAYS: '12' })).toMatchObject({
      OUTPUT_RETENTION_DAYS: 12,
    });
    for (const bad of ['0', '3651', 'forever']) {
      expect(() => parseWorkerEnv({ ...validEnv, OUTPUT_RETENTION_DAYS: bad })).toThrow(
        `OUTPUT_RETENTION_DAYS must be a whole number from 1 to 3650, but got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('reads the renderer Lambdas per render, a whole number from 1 to 200 (Remotion allows no more)', () => {
    expect(parseWorkerEnv({ ...validEnv, REMOTION_CONCURRENCY_PER_RENDER: '6' })).toMatchObject({
      REMOTION_CONCURRENCY_PER_RENDER: 6,
    });
    expect(parseWorkerEnv(validEnv).REMOTION_CONCURRENCY_PER_RENDER).toBeUndefined();
    // An empty value counts as unset, as everywhere the project reads its environment.
    expect(
      parseWorkerEnv({ ...validEnv, REMOTION_CONCURRENCY_PER_RENDER: '' })
        .REMOTION_CONCURRENCY_PER_RENDER,
    ).toBeUndefined();
    for (const bad of ['0', '201', '2.5', 'many']) {
      expect(() => parseWorkerEnv({ ...validEnv, REMOTION_CONCURRENCY_PER_RENDER: bad })).toThrow(
        `REMOTION_CONCURRENCY_PER_RENDER must be a whole number from 1 to 200, but got ${JSON.stringify(bad)}`,
      );
    }
  });

  it('names every bad variable, what it expected and what came', () => {
    const env = {
      ...validEnv,
      RENDER_CAP: '0',
      REMOTION_REGION: 'Frankfurt',
      REMOTION_SERVE_URL: undefined,
      RENDER_DLQ_ARN: undefined,
      JOB_TABLE_NAME: ' ',
    };

    expect(() => parseWorkerEnv(env)).toThrow(
      [
        "The render worker's environment is invalid:",
        '  RENDER_CAP must be a whole number ≥ 1, but got "0"',
        '  REMOTION_SERVE_URL must be the https URL of the deployed Remotion site, but got nothing (unset)',
        '  REMOTION_REGION must be an AWS region such as us-east-1, but got "Frankfurt"',
        '  JOB_TABLE_NAME must be the name of the Job table, but got " "',
        '  RENDER_DLQ_ARN must be the ARN of the render dead-letter SQS queue, but got nothing (unset)',
        FUNCTION_ENV_FIX,
      ].join('\n'),
    );
  });
});
