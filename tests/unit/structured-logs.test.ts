// The functions' logs as CloudWatch gets them: Powertools Logger JSON lines, each naming the job (jobId),
// its render (renderId) and its owner by Cognito sub (ownerSub), so one Logs Insights query follows a job.
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRenderWorker } from '../../amplify/functions/render-worker/job-lifecycle';
import { RENDER_METRICS } from '../../amplify/functions/render-worker/render-metrics';
import {
  createFakeClock,
  createInMemoryJobStore,
  createRecordingQueue,
  createScriptedRenderer,
  parseTestInputProps,
} from '../support/worker-fakes';

type LogLine = Record<string, unknown>;

/** The JSON lines written to stdout and stderr (WARN and ERROR) while `action` runs: both reach CloudWatch Logs. */
const logLinesOf = async (action: () => Promise<unknown>): Promise<LogLine[]> => {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(capture),
    vi.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  try {
    await action();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return written
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
};

beforeEach(() => {
  // In dev mode Powertools writes through console instead of stdout.
  vi.stubEnv('POWERTOOLS_DEV', 'false');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the render worker log', () => {
  it('writes each lifecycle line as JSON with its level, service, jobId, renderId and ownerSub', async () => {
    const clock = createFakeClock();
    const db = createInMemoryJobStore();
    db.insert({ id: 'job-1', owner: 'sub-1::alice@example.com' });
    // As amplify/functions/render-worker/handler.ts wires it.
    const logger = new Logger({ serviceName: RENDER_METRICS.service });
    const worker = createRenderWorker({
      store: db.store,
      renderer: createScriptedRenderer(clock, { script: () => ({ durationMs: 2000 }) }).renderer,
      clock,
      queue: createRecordingQueue().queue,
      parseInputProps: parseTestInputProps,
      config: { renderCap: 2, stopBeforeDeadlineMs: 0 },
      log: (message, details) => logger.info(message, details ?? {}),
    });

    const lines = await logLinesOf(() =>
      worker.handleMessage({
        jobId: 'job-1',
        receiveCount: 1,
        deadlineMs: clock.now() + 3_600_000,
        receiptHandle: 'rh-1',
      }),
    );

    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        service: 'render-worker',
        message: 'delivery handled',
        jobId: 'job-1',
        renderId: 'render-1',
        ownerSub: 'sub-1',
        reason: 'succeeded',
      }),
    );
    expect(JSON.stringify(lines)).not.toContain('alice');
  });
});

describe('the video-url function log', () => {
  const event = (jobId: string) => ({
    arguments: { jobId },
    identity: { sub: 'sub-7', username: 'bob' } as never,
  });

  it('writes a refused request as a WARN line with the jobId, the caller sub and why', async () => {
    vi.stubEnv('JOB_TABLE_NAME', 'Job-abc-NONE');
    vi.stubEnv('OUTPUT_BUCKET_NAME', 'render-outputs');
    vi.stubEnv(
      'VIDEO_URL_SIGNER_SECRET_ARN',
      'arn:aws:secretsmanager:eu-central-1:123456789012:secret:signer-AbCdEf',
    );
    vi.stubEnv('AWS_REGION', 'eu-central-1');
    vi.resetModules();
    const { handler } = await import('../../amplify/functions/video-url/handler');

    // An empty id is refused before any AWS call.
    const lines = await logLinesOf(() => handler(event('  ')).catch(() => undefined));

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'WARN',
        service: 'video-url',
        message: 'video URL refused',
        jobId: '  ',
        ownerSub: 'sub-7',
        code: 'INVALID_REQUEST',
        reason: 'jobId must be a job id, but got an empty string.',
      }),
    ]);
  });

  it('writes a failure of its own as an ERROR line with the jobId, the caller sub and the error', async () => {
    vi.stubEnv('JOB_TABLE_NAME', '');
    vi.resetModules();
    const { handler } = await import('../../amplify/functions/video-url/handler');

    const lines = await logLinesOf(() => handler(event('job-9')).catch(() => undefined));

    expect(lines).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        service: 'video-url',
        message: 'video URL failed',
        jobId: 'job-9',
        ownerSub: 'sub-7',
        error: expect.objectContaining({
          message: expect.stringContaining("The video-url function's environment is invalid"),
        }),
      }),
    ]);
  });
});
