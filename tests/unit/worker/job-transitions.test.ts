import { describe, expect, it } from 'vitest';
import { phaseOf } from '../../../amplify/functions/render-worker/job-status';
import {
  cancelAbandonedStart,
  claimJob,
  failJob,
  recordRenderId,
  releaseClaim,
  requeueJob,
} from '../../../amplify/functions/render-worker/job-transitions';
import type { JobRecord } from '../../../amplify/functions/render-worker/ports';

const jobOf = (fields: Partial<JobRecord>): JobRecord => ({
  id: 'job-1',
  status: 'QUEUED',
  cancelRequested: false,
  attempts: 0,
  owner: 'sub::user',
  compositionId: 'hello',
  inputProps: {},
  ...fields,
});

describe('job phases (job-status.ts)', () => {
  it('names the phases of docs/architecture.md from status and render id', () => {
    // A freshly created record has no status yet.
    expect(phaseOf({} as Pick<JobRecord, 'status'>)).toBe('queued');
    expect(phaseOf({ status: 'QUEUED' })).toBe('queued');
    expect(phaseOf({ status: 'RENDERING', renderId: null })).toBe('starting');
    expect(phaseOf({ status: 'RENDERING', renderId: 'r-1' })).toBe('rendering');
    for (const status of ['SUCCEEDED', 'FAILED', 'CANCELLED'] as const)
      expect(phaseOf({ status, renderId: 'r-1' })).toBe('terminal');
  });
});

describe('job transitions (job-transitions.ts)', () => {
  const at = '2026-01-01T00:00:00.000Z';

  it('claims only a queued job without a render, and gives back or completes only that claim', () => {
    expect(claimJob(at, 2)).toEqual({
      expected: { status: 'QUEUED', renderId: null },
      patch: { status: 'RENDERING', startedAt: at, attempts: 2, progress: 0, errorMessage: null },
    });
    const mine = { status: 'RENDERING', renderId: null, startedAt: at };
    expect(releaseClaim(at)).toEqual({
      expected: mine,
      patch: { status: 'QUEUED', startedAt: null },
    });
    expect(recordRenderId(at, 'r-1')).toEqual({ expected: mine, patch: { renderId: 'r-1' } });
  });

  it('queues a render again only while the job still tracks that render, forgetting it', () => {
    const { expected, patch } = requeueJob('r-1');
    expect(expected).toEqual({ status: 'RENDERING', renderId: 'r-1' });
    expect(patch).toMatchObject({ status: 'QUEUED', renderId: null, startedAt: null });
  });

  it('ends a job from the state it was read in, and an abandoned start only under its old claim', () => {
    const rendering = jobOf({ status: 'RENDERING', renderId: 'r-1', startedAt: at });
    expect(failJob(rendering, 'why', at, 0.02)).toEqual({
      expected: { status: 'RENDERING', renderId: 'r-1' },
      patch: {
        status: 'FAILED',
        errorMessage: 'why',
        finishedAt: at,
        etaSeconds: null,
        costUsd: 0.02,
      },
    });
    expect(failJob(jobOf({}), 'why', at).expected).toEqual({ status: 'QUEUED', renderId: null });
    expect(
      cancelAbandonedStart(jobOf({ status: 'RENDERING', startedAt: at }), at).expected,
    ).toEqual({ status: 'RENDERING', renderId: null, startedAt: at });
  });
});
