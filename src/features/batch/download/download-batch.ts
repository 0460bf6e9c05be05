import type { Batch, BatchRowJob, BatchesApi } from '../api/batches-api';
import { buildBatchArchive, type BatchArchive } from './build-batch-archive';

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

/** Builds the batch's ZIP (videos + manifest) and hands it to the browser as a download. */
export async function downloadBatch(
  api: BatchesApi,
  batch: Batch,
  onProgress?: (done: number, total: number) => void,
): Promise<BatchArchive> {
  const rows = await listAllBatchRows(api, batch);
  const archive = await buildBatchArchive(rows, {
    getVideoUrl: (jobId) => api.getVideoUrl(jobId),
    onProgress,
  });
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
