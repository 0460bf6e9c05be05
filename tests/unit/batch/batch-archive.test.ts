import { strFromU8, unzipSync } from 'fflate';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { BatchRowJob } from '../../../src/features/batch/api/batches-api';
import {
  archiveEntryName,
  buildBatchArchive,
} from '../../../src/features/batch/download/build-batch-archive';

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
