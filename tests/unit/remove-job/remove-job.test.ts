import { DeleteObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  outputKeysOf,
  removeJob,
  RemoveJobError,
  type RemovableJob,
  type RemoveJobPorts,
} from '../../../amplify/functions/remove-job/remove-job';
import { createS3RenderObjects } from '../../../amplify/functions/remove-job/s3-render-objects';

const OWNER = 'sub-a::alice';

/** A Job table and buckets in memory; `onPoll` lets a test play the worker while the remover waits. */
const createFakes = (
  job: RemovableJob | undefined,
  onPoll: (job: RemovableJob) => void = () => {},
) => {
  const jobs = new Map(job ? [[job.id, { ...job }]] : []);
  const deletedKeys: string[] = [];
  const deletedRenders: string[] = [];
  const writes: string[] = [];
  let clockMs = Date.parse('2026-12-06T00:00:00Z');
  const ports: RemoveJobPorts = {
    loadJob: async (id) => {
      const found = jobs.get(id);
      return found && { ...found };
    },
    cancelQueuedJob: async (id) => {
      const found = jobs.get(id);
      writes.push(`cancelQueued ${id}`);
      if (!found || (found.status && found.status !== 'QUEUED')) return false;
      found.status = 'CANCELLED';
      return true;
    },
    requestCancel: async (id) => {
      writes.push(`requestCancel ${id}`);
      return jobs.get(id)?.status === 'RENDERING';
    },
    deleteJobRecord: async (id) => {
      const found = jobs.get(id);
      if (!found || !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(found.status ?? ''))
        return false;
      jobs.delete(id);
      return true;
    },
    deleteOutputs: async (keys) => void deletedKeys.push(...keys),
    deleteRenderState: async ({ renderId }) => void deletedRenders.push(renderId),
    now: () => new Date(clockMs),
    sleep: async (ms) => {
      clockMs += ms;
      const found = jobs.get(job?.id ?? '');
      if (found) onPoll(found);
    },
    outputPrefix: 'renders/',
  };
  return { ports, jobs, deletedKeys, deletedRenders, writes };
};

const finished: RemovableJob = {
  id: 'job-1',
  owner: OWNER,
  status: 'SUCCEEDED',
  renderId: 'r-1',
  outputKey: 'renders/sub-a/job-1.webm',
  posterKey: 'renders/sub-a/job-1.poster.jpeg',
  outputFormat: 'webm',
};

describe('removeJob', () => {
  it("deletes a finished job's video, poster, render state and record", async () => {
    const fakes = createFakes(finished);
    expect(await removeJob({ jobId: 'job-1', caller: { sub: 'sub-a' } }, fakes.ports)).toEqual({
      jobId: 'job-1',
      cancelledFirst: false,
    });
    expect(fakes.jobs.has('job-1')).toBe(false);
    expect(new Set(fakes.deletedKeys)).toEqual(
      new Set(['renders/sub-a/job-1.webm', 'renders/sub-a/job-1.poster.jpeg']),
    );
    expect(fakes.deletedRenders).toEqual(['r-1']);
  });

  it("answers another user's job like a missing one and touches nothing of it", async () => {
    const fakes = createFakes({ ...finished, status: 'RENDERING' });
    const attempt = removeJob({ jobId: 'job-1', caller: { sub: 'sub-b' } }, fakes.ports);
    await expect(attempt).rejects.toThrow('You have no job with id "job-1".');
    await expect(
      removeJob({ jobId: 'nope', caller: { sub: 'sub-b' } }, fakes.ports),
    ).rejects.toThrow('You have no job with id "nope".');
    expect(fakes.jobs.has('job-1')).toBe(true);
    expect(fakes.writes).toEqual([]);
    expect(fakes.deletedKeys).toEqual([]);
  });

  it('refuses a caller with no identity and an empty id', async () => {
    const fakes = createFakes(finished);
    await expect(removeJob({ jobId: 'job-1', caller: undefined }, fakes.ports)).rejects.toThrow(
      RemoveJobError,
    );
    await expect(removeJob({ jobId: ' ', caller: { sub: 'sub-a' } }, fakes.ports)).rejects.toThrow(
      'jobId must be a job id, but got an empty string.',
    );
    expect(fakes.jobs.has('job-1')).toBe(true);
  });

  it('cancels a queued job at once, then removes it (and where its render would have written)', async () => {
    const fakes = createFakes({ id: 'job-2', owner: OWNER, status: null, outputFormat: 'gif' });
    const removed = await removeJob({ jobId: 'job-2', caller: { sub: 'sub-a' } }, fakes.ports);
    expect(removed.cancelledFirst).toBe(true);
    expect(fakes.writes).toEqual(['cancelQueued job-2']);
    expect(fakes.deletedKeys).toEqual([
      'renders/sub-a/job-2.gif',
      'renders/sub-a/job-2.poster.jpeg',
    ]);
    expect(fakes.jobs.size).toBe(0);
  });

  it('asks a rendering job to cancel, waits for the worker to end it, then removes it', async () => {
    let polls = 0;
    const fakes = createFakes(
      { ...finished, status: 'RENDERING', outputKey: null, posterKey: null },
      (job) => {
        polls += 1;
        if (polls === 3) job.status = 'CANCELLED';
      },
    );
    const removed = await removeJob({ jobId: 'job-1', caller: { sub: 'sub-a' } }, fakes.ports);
    expect(removed.cancelledFirst).toBe(true);
    expect(fakes.writes).toEqual(['requestCancel job-1']);
    expect(polls).toBe(3);
    expect(fakes.deletedRenders).toEqual(['r-1']);
    expect(fakes.jobs.size).toBe(0);
  });

  it('gives up after the wait when the render does not stop, deleting nothing', async () => {
    const fakes = createFakes({ ...finished, status: 'RENDERING' });
    await expect(
      removeJob(
        { jobId: 'job-1', caller: { sub: 'sub-a' } },
        { ...fakes.ports, cancelWaitMs: 5000 },
      ),
    ).rejects.toMatchObject({ code: 'STILL_RENDERING' });
    expect(fakes.jobs.has('job-1')).toBe(true);
    expect(fakes.deletedKeys).toEqual([]);
  });

  it('never names a key outside the output prefix', () => {
    expect(
      outputKeysOf(
        { ...finished, outputKey: 'other/x.mp4', posterKey: 'renders/../secret' },
        'renders/',
      ),
    ).toEqual(['renders/sub-a/job-1.webm', 'renders/sub-a/job-1.poster.jpeg']);
  });
});

describe('createS3RenderObjects', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => s3.reset());

  it("deletes each output key, and every object of Remotion's render state across pages", async () => {
    s3.on(ListObjectsV2Command, { ContinuationToken: undefined })
      .resolves({
        Contents: [{ Key: 'renders/r-1/progress.json' }],
        IsTruncated: true,
        NextContinuationToken: 't',
      })
      .on(ListObjectsV2Command, { ContinuationToken: 't' })
      .resolves({ Contents: [{ Key: 'renders/r-1/chunks/0.mp4' }], IsTruncated: false });
    s3.on(DeleteObjectCommand).resolves({});
    const objects = createS3RenderObjects({
      outputBucket: 'out',
      remotionBucket: 'remotionlambda-x',
      client: new S3Client({ region: 'us-east-1' }),
    });
    await objects.deleteOutputs(['renders/sub-a/job-1.mp4']);
    await objects.deleteRenderState({ renderId: 'r-1', outputKey: 'renders/sub-a/job-1.mp4' });
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input.Prefix)).toEqual([
      'renders/r-1/',
      'renders/r-1/',
    ]);
    expect(
      s3
        .commandCalls(DeleteObjectCommand)
        .map((call) => `${call.args[0].input.Bucket}/${call.args[0].input.Key}`),
    ).toEqual([
      'out/renders/sub-a/job-1.mp4',
      'remotionlambda-x/renders/r-1/progress.json',
      'remotionlambda-x/renders/r-1/chunks/0.mp4',
    ]);
  });
});
