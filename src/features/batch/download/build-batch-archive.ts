import { strToU8, Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import Papa from 'papaparse';
import type { BatchRowJob } from '../api/batches-api';

/** The name of row `rowIndex`'s video in the archive: 1-based like the file's rows, padded so names sort. */
export const archiveEntryName = (rowIndex: number): string =>
  `row-${String(rowIndex + 1).padStart(5, '0')}.mp4`;

export const MANIFEST_NAME = 'manifest.csv';

/** The columns of the manifest, one line per row of the batch. */
export const MANIFEST_COLUMNS = ['row', 'title', 'status', 'error', 'file', 'url'] as const;

export interface BuildBatchArchiveOptions {
  /** A finished row's signed URL (the owner's own, short-lived). */
  getVideoUrl: (jobId: string) => Promise<{ url: string }>;
  /** Reads a video's bytes; `fetch` in the browser. */
  fetchBytes?: (url: string) => Promise<Uint8Array>;
  /** Videos fetched at once. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

/** What went into an archive. */
export interface BatchArchiveSummary {
  /** Videos in the archive. */
  videos: number;
  /** Finished rows whose video could not be fetched (their manifest line says why). */
  failedDownloads: number;
}

export interface BatchArchive extends BatchArchiveSummary {
  blob: Blob;
}

async function fetchBytesOverHttp(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the video URL answered HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * A ZIP of every SUCCEEDED row's video (stored, not compressed: MP4 is compressed already) plus `manifest.csv`
 * with each row's title, status, error, file name and URL, written to `write` as it is made: videos are fetched a
 * few at a time, added in row order, and each one's bytes are written (awaited) before the next is added, so only a
 * small window of videos is held at once, whatever the batch's size.
 */
export async function streamBatchArchive(
  rows: readonly BatchRowJob[],
  write: (chunk: Uint8Array) => Promise<void>,
  {
    getVideoUrl,
    fetchBytes = fetchBytesOverHttp,
    concurrency = 4,
    onProgress,
  }: BuildBatchArchiveOptions,
): Promise<BatchArchiveSummary> {
  const ordered = [...rows].sort((a, b) => a.rowIndex - b.rowIndex);
  const finished = ordered.filter((row) => row.status === 'SUCCEEDED');
  // fflate hands chunks over synchronously; they wait here only until the next flush.
  const unwritten: Uint8Array[] = [];
  let zipError: Error | undefined;
  const zip = new Zip((error, chunk) => {
    if (error) zipError = error;
    else unwritten.push(chunk);
  });
  const flush = async () => {
    if (zipError) throw zipError;
    for (let chunk = unwritten.shift(); chunk; chunk = unwritten.shift()) await write(chunk);
  };

  type Fetched = { url: string; bytes: Uint8Array } | { url: string; error: string };
  const fetchOne = async (row: BatchRowJob): Promise<Fetched> => {
    let url = '';
    try {
      url = (await getVideoUrl(row.jobId)).url;
      return { url, bytes: await fetchBytes(url) };
    } catch (error) {
      return { url, error: `download failed: ${messageOf(error)}` };
    }
  };

  // A sliding window of fetches; each result is added to the archive in row order as soon as it is its turn.
  const outcomes = new Map<number, Fetched>();
  const pending: Promise<Fetched>[] = [];
  let next = 0;
  const startNext = () => {
    const row = finished[next];
    next += 1;
    if (row) pending.push(fetchOne(row));
  };
  for (let i = 0; i < Math.max(1, concurrency); i += 1) startNext();
  let videos = 0;
  for (let index = 0; index < finished.length; index += 1) {
    const row = finished[index]!;
    const fetched = await pending[index]!;
    startNext();
    outcomes.set(row.rowIndex, fetched);
    if ('bytes' in fetched) {
      const entry = new ZipPassThrough(archiveEntryName(row.rowIndex));
      zip.add(entry);
      entry.push(fetched.bytes, true);
      videos += 1;
      await flush();
    }
    // The bytes are in the archive now; the window must not keep them alive.
    pending[index] = Promise.resolve({ url: fetched.url, error: '' });
    onProgress?.(index + 1, finished.length);
  }

  const manifest = Papa.unparse(
    {
      fields: [...MANIFEST_COLUMNS],
      data: ordered.map((row) => {
        const outcome = outcomes.get(row.rowIndex);
        const downloadError = outcome && 'error' in outcome ? outcome.error : '';
        return [
          String(row.rowIndex + 1),
          row.title ?? '',
          row.status,
          row.errorMessage ?? downloadError,
          outcome && 'bytes' in outcome ? archiveEntryName(row.rowIndex) : '',
          outcome?.url ?? '',
        ];
      }),
    },
    { newline: '\r\n' },
  );
  const manifestEntry = new ZipDeflate(MANIFEST_NAME, { level: 6 });
  zip.add(manifestEntry);
  manifestEntry.push(strToU8(`${manifest}\r\n`), true);
  zip.end();
  await flush();
  return { videos, failedDownloads: finished.length - videos };
}

/** The same archive built in memory, as one Blob (browsers without a file-writing API, and tests). */
export async function buildBatchArchive(
  rows: readonly BatchRowJob[],
  options: BuildBatchArchiveOptions,
): Promise<BatchArchive> {
  const parts: Uint8Array[] = [];
  const summary = await streamBatchArchive(rows, async (chunk) => void parts.push(chunk), options);
  return { ...summary, blob: new Blob(parts as BlobPart[], { type: 'application/zip' }) };
}
