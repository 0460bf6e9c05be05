import { strFromU8, unzipSync } from 'fflate';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { BatchRowJob } from '../../../src/features/batch/api/batches-api';
import type { BatchesApi } from '../../../src/features/batch/api/batches-api';
import {
  archiveEntryName,
  buildBatchArchive,
  streamBatchArchive,
} from '../../../src/features/batch/download/build-batch-archive';
import { downloadBatch } from '../../../src/features/batch/download/download-batch';

const row = (rowIndex: number, overrides: Partial<BatchRowJob> = {}): BatchRowJob => ({
  jobId: `job-${rowIndex}`,
  rowIndex,
  status: 'SUCCEEDED',
  title: `Row ${rowIndex + 1}`,
  progress: 1,
  errorMessage: null,
  costUsd: 0.001,
  updatedAt: '2026-12-05T08:00:00.000Z',
  ...overrides,
});

const videoOf = (jobId: string) => new TextEncoder().encode(`video of ${jobId}`);

describe('buildBatchArchive', () => {
  it('holds each finished video under its row number, and a manifest row → status, error, file, URL', async () => {
    const rows = [
      row(3),
      row(0),
      row(1, { status: 'FAILED', errorMessage: 'Props refused: `title`, "quoted", and, commas' }),
      row(2, { status: 'CANCELLED' }),
      row(4),
    ];
    const progress: number[] = [];
    const archive = await buildBatchArchive(rows, {
      getVideoUrl: async (jobId) => ({ url: `https://videos.test/${jobId}.mp4?sig=1` }),
      fetchBytes: async (url) => videoOf(/job-\d+/.exec(url)![0]),
      concurrency: 2,
      onProgress: (done) => progress.push(done),
    });
    expect(archive.videos).toBe(3);
    expect(archive.failedDownloads).toBe(0);
    expect(progress).toEqual([1, 2, 3]);

    const entries = unzipSync(new Uint8Array(await archive.blob.arrayBuffer()));
    expect(Object.keys(entries)).toEqual([
      'row-00001.mp4',
      'row-00004.mp4',
      'row-00005.mp4',
      'manifest.csv',
    ]);
    expect(strFromU8(entries['row-00004.mp4']!)).toBe('video of job-3');
    const manifest = Papa.parse<Record<string, string>>(strFromU8(entries['manifest.csv']!), {
      header: true,
      skipEmptyLines: true,
    });
    expect(manifest.errors).toEqual([]);
    expect(manifest.data).toEqual([
      {
        row: '1',
        title: 'Row 1',
        status: 'SUCCEEDED',
        error: '',
        file: 'row-00001.mp4',
        url: 'https://videos.test/job-0.mp4?sig=1',
      },
      {
        row: '2',
        title: 'Row 2',
        status: 'FAILED',
        error: 'Props refused: `title`, "quoted", and, commas',
        file: '',
        url: '',
      },
      { row: '3', title: 'Row 3', status: 'CANCELLED', error: '', file: '', url: '' },
      {
        row: '4',
        title: 'Row 4',
        status: 'SUCCEEDED',
        error: '',
        file: 'row-00004.mp4',
        url: 'https://videos.test/job-3.mp4?sig=1',
      },
      {
        row: '5',
        title: 'Row 5',
        status: 'SUCCEEDED',
        error: '',
        file: 'row-00005.mp4',
        url: 'https://videos.test/job-4.mp4?sig=1',
      },
    ]);
  });

  it('a video that cannot be fetched is left out and its manifest line says why', async () => {
    const archive = await buildBatchArchive([row(0), row(1)], {
      getVideoUrl: async (jobId) => ({ url: `https://videos.test/${jobId}.mp4` }),
      fetchBytes: async (url) => {
        if (url.includes('job-1')) throw new Error('the video URL answered HTTP 403');
        return videoOf('job-0');
      },
    });
    expect(archive).toMatchObject({ videos: 1, failedDownloads: 1 });
    const entries = unzipSync(new Uint8Array(await archive.blob.arrayBuffer()));
    expect(Object.keys(entries)).toEqual(['row-00001.mp4', 'manifest.csv']);
    expect(strFromU8(entries['manifest.csv']!)).toContain(
      '2,Row 2,SUCCEEDED,download failed: the video URL answered HTTP 403,,https://videos.test/job-1.mp4',
    );
  });

  it('names entries so they sort in row order up to the largest batch', () => {
    expect(archiveEntryName(0)).toBe('row-00001.mp4');
    expect(archiveEntryName(9_999)).toBe('row-10000.mp4');
  });
});

describe('streaming the archive', () => {
  const bigVideo = (jobId: string) => new Uint8Array(64 * 1024).fill(jobId.charCodeAt(4));

  it('writes each video out before fetching past the window, so the archive is never held whole', async () => {
    const rows = Array.from({ length: 12 }, (_, index) => row(index));
    const written: Uint8Array[] = [];
    const writtenBytes = () => written.reduce((sum, chunk) => sum + chunk.length, 0);
    // Bytes written when each video is fetched: with a window of 2, video n is fetched only once videos 0 … n − 3
    // are written out, so at most the window and the video being added are held.
    const writtenAtFetch: number[] = [];
    const summary = await streamBatchArchive(
      rows,
      async (chunk) => {
        await new Promise((done) => setTimeout(done, 1));
        written.push(chunk);
      },
      {
        getVideoUrl: async (jobId) => ({ url: `https://videos.test/${jobId}.mp4` }),
        fetchBytes: async (url) => {
          writtenAtFetch.push(writtenBytes());
          return bigVideo(/job-\d+/.exec(url)![0]);
        },
        concurrency: 2,
      },
    );
    expect(summary).toEqual({ videos: 12, failedDownloads: 0 });
    for (let n = 3; n < 12; n += 1)
      expect(writtenAtFetch[n], `video ${n}`).toBeGreaterThanOrEqual((n - 2) * 64 * 1024);
    const whole = new Uint8Array(writtenBytes());
    let offset = 0;
    for (const chunk of written) whole.set(chunk, (offset += chunk.length) - chunk.length);
    const entries = unzipSync(whole);
    expect(Object.keys(entries)).toHaveLength(13);
    expect(entries['row-00012.mp4']).toEqual(bigVideo('job-11'));
  });

  it('saves through the save picker when the browser has one, and nothing when the user closes it', async () => {
    const api = {
      listBatchRows: async () => [row(0), row(1, { status: 'FAILED', errorMessage: 'no' })],
      getVideoUrl: async (jobId: string) => ({ url: `data:,${jobId}`, expiresAt: '' }),
    } as unknown as BatchesApi;
    const batch = { id: 'b1', title: 'Q3 cards', rowCount: 2 } as Parameters<
      typeof downloadBatch
    >[1];
    const chunks: Uint8Array[] = [];
    const events: string[] = [];
    const picker = async (options: { suggestedName: string }) => {
      events.push(`picker ${options.suggestedName}`);
      return {
        createWritable: async () => ({
          write: async (chunk: Uint8Array) => void chunks.push(chunk),
          close: async () => void events.push('close'),
          abort: async () => void events.push('abort'),
        }),
      };
    };
    const summary = await downloadBatch(api, batch, undefined, picker);
    expect(summary).toEqual({ videos: 1, failedDownloads: 0 });
    expect(events).toEqual(['picker q3-cards.zip', 'close']);
    const whole = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks) whole.set(chunk, (offset += chunk.length) - chunk.length);
    expect(Object.keys(unzipSync(whole))).toEqual(['row-00001.mp4', 'manifest.csv']);

    const closed = async () => {
      throw Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' });
    };
    expect(await downloadBatch(api, batch, undefined, closed)).toBeUndefined();
  });
});
