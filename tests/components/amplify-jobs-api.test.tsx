import { describe, expect, it } from 'vitest';
import { createAmplifyJobsApi } from '../../src/features/jobs/api/amplify-jobs-api';
import { readInputProps } from '../../src/features/jobs/api/jobs-api';

type Call = { method: string; args: unknown[] };

/** The slice of the Amplify data client the adapter uses, recording calls. */
function createRecordingClient(calls: Call[]) {
  const record =
    (method: string, data: unknown) =>
    async (...args: unknown[]) => {
      calls.push({ method, args });
      return { data };
    };
  return {
    models: {
      Job: {
        create: record('create', { id: 'job-1' }),
        update: record('update', { id: 'job-1', cancelRequested: true }),
      },
    },
    queries: {
      getJobVideoUrl: record('getJobVideoUrl', {
        url: 'https://v/1.mp4',
        expiresAt: '2026-11-23T12:00:00Z',
      }),
    },
  };
}

const BATCH = '0b0e5c3a-1f2d-4a6b-9c8d-7e6f5a4b3c2d';

describe('createAmplifyJobsApi', () => {
  it('lists single renders only, following the cursor past pages of batch rows', async () => {
    // The owner index newest first: a read past a batch's rows brings no single render, then one that does.
    const pages: Record<string, { data: unknown[]; nextToken: string | null }> = {
      start: { data: [{ id: `${BATCH}-row-00001` }], nextToken: 'after-rows-1' },
      'after-rows-1': { data: [{ id: `${BATCH}-row-00000` }], nextToken: 'after-rows-2' },
      'after-rows-2': { data: [{ id: 'single-1' }, { id: 'single-2' }], nextToken: 'older' },
    };
    const calls: unknown[][] = [];
    const client = {
      models: {
        Job: {
          listJobsByOwnerAndCreatedAt: async (...args: unknown[]) => {
            calls.push(args);
            const { nextToken } = args[1] as { nextToken: string | null };
            return pages[nextToken ?? 'start'];
          },
        },
      },
    };
    const api = createAmplifyJobsApi(client as never, async () => 'sub-a::alice');

    const page = await api.listJobs({ limit: 2 });

    expect(page).toEqual({ jobs: [{ id: 'single-1' }, { id: 'single-2' }], nextToken: 'older' });
    expect(calls.map((args) => (args[1] as { nextToken: unknown }).nextToken)).toEqual([
      null,
      'after-rows-1',
      'after-rows-2',
    ]);
    for (const [key, options] of calls) {
      expect(key).toEqual({ owner: 'sub-a::alice' });
      expect(options).toMatchObject({ sortDirection: 'DESC', limit: 100 });
    }
  });

  it('hands back the cursor after a bounded number of reads that found nothing', async () => {
    let reads = 0;
    const client = {
      models: {
        Job: {
          listJobsByOwnerAndCreatedAt: async () => {
            reads += 1;
            return { data: [{ id: `${BATCH}-row-0000${reads % 10}` }], nextToken: `rows-${reads}` };
          },
        },
      },
    };
    const api = createAmplifyJobsApi(client as never, async () => 'sub-a::alice');
    expect(await api.listJobs({ limit: 10 })).toEqual({ jobs: [], nextToken: 'rows-20' });
    expect(reads).toBe(20);
  });

  it('creates a job with inputProps as a JSON string (a.json() travels as AWSJSON)', async () => {
    const calls: Call[] = [];
    const api = createAmplifyJobsApi(createRecordingClient(calls) as never);
    await api.createJob({ compositionId: 'title-card', inputProps: { title: 'Hi' }, title: 'Hi' });
    expect(calls).toEqual([
      {
        method: 'create',
        args: [{ compositionId: 'title-card', inputProps: '{"title":"Hi"}', title: 'Hi' }],
      },
    ]);
  });

  it('cancels by updating only cancelRequested', async () => {
    const calls: Call[] = [];
    const api = createAmplifyJobsApi(createRecordingClient(calls) as never);
    await api.requestCancel('job-1');
    expect(calls).toEqual([{ method: 'update', args: [{ id: 'job-1', cancelRequested: true }] }]);
  });

  it('asks getJobVideoUrl for the job and returns the URL and its expiry', async () => {
    const calls: Call[] = [];
    const api = createAmplifyJobsApi(createRecordingClient(calls) as never);
    expect(await api.getVideoUrl('job-1')).toEqual({
      url: 'https://v/1.mp4',
      expiresAt: '2026-11-23T12:00:00Z',
    });
    expect(calls).toEqual([{ method: 'getJobVideoUrl', args: [{ jobId: 'job-1' }] }]);
  });

  it('turns GraphQL errors into one readable error', async () => {
    const client = {
      models: {
        Job: { update: async () => ({ data: null, errors: [{ message: 'Not Authorized' }] }) },
      },
    };
    const api = createAmplifyJobsApi(client as never);
    await expect(api.requestCancel('job-1')).rejects.toThrow('Cancelling failed: Not Authorized');
  });

  it('reads inputProps whether the client returns a string or an object, and rejects non-objects', () => {
    expect(readInputProps({ inputProps: '{"a":1}' })).toEqual({ a: 1 });
    expect(readInputProps({ inputProps: { a: 1 } })).toEqual({ a: 1 });
    expect(() => readInputProps({ inputProps: '[1]' })).toThrow(
      'Job inputProps should be a JSON object, but got [1].',
    );
  });
});
