import type { Batch, BatchRowJob, BatchesApi } from '../api/batches-api';
import {
  buildBatchArchive,
  streamBatchArchive,
  type BatchArchiveSummary,
} from './build-batch-archive';

/** Rows asked for per request when every row is needed (the adapter follows the server's pages within it). */
const ALL_ROWS_RANGE = 1_000;

/** Every row of a batch, in row order, a range of the batch index at a time. */
export async function listAllBatchRows(api: BatchesApi, batch: Batch): Promise<BatchRowJob[]> {
  const rows: BatchRowJob[] = [];
  for (let from = 0; from < batch.rowCount; from += ALL_ROWS_RANGE)
    rows.push(
      ...(await api.listBatchRows(batch.id, {
        fromRowIndex: from,
        toRowIndex: Math.min(batch.rowCount, from + ALL_ROWS_RANGE) - 1,
      })),
    );
  return rows;
}

/** A batch's title as a file name: "Q3 cards!" → "q3-cards". */
export const archiveFileName = (batch: Pick<Batch, 'title' | 'id'>): string =>
  `${
    (batch.title ?? '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || `batch-${batch.id.slice(0, 8)}`
  }.zip`;

/** The File System Access API's save picker (Chromium), which lets the archive stream to disk. */
type SaveFilePicker = (options: {
  suggestedName: string;
  types: { description: string; accept: Record<string, string[]> }[];
}) => Promise<{
  createWritable(): Promise<{
    write(chunk: Uint8Array): Promise<void>;
    close(): Promise<void>;
    abort(): Promise<void>;
  }>;
}>;

/**
 * Builds the batch's ZIP (videos + manifest) and saves it. Where the browser can write a file as it goes (the save
 * picker), the archive streams to disk and a 10,000-video batch never sits in memory; elsewhere it is built as a
 * Blob and handed over as a download. Resolves undefined when the user closes the picker.
 */
export async function downloadBatch(
  api: BatchesApi,
  batch: Batch,
  onProgress?: (done: number, total: number) => void,
  picker: SaveFilePicker | undefined = (window as { showSaveFilePicker?: SaveFilePicker })
    .showSaveFilePicker,
): Promise<BatchArchiveSummary | undefined> {
  const options = { getVideoUrl: (jobId: string) => api.getVideoUrl(jobId), onProgress };
  if (picker) {
    let file: Awaited<ReturnType<SaveFilePicker>>;
    try {
      // First, while the click still counts as the user's gesture.
      file = await picker({
        suggestedName: archiveFileName(batch),
        types: [{ description: 'ZIP archive', accept: { 'application/zip': ['.zip'] } }],
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') return undefined;
      throw error;
    }
    const writable = await file.createWritable();
    try {
      const summary = await streamBatchArchive(
        await listAllBatchRows(api, batch),
        (chunk) => writable.write(chunk),
        options,
      );
      await writable.close();
      return summary;
    } catch (error) {
      await writable.abort().catch(() => undefined);
      throw error;
    }
  }
  const archive = await buildBatchArchive(await listAllBatchRows(api, batch), options);
  const objectUrl = URL.createObjectURL(archive.blob);
  const link = Object.assign(document.createElement('a'), {
    href: objectUrl,
    download: archiveFileName(batch),
  });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
  return archive;
}
