import { createHash } from 'node:crypto';
import { parseJobMetadata, type WebhookEvent } from '../../../contract/webhook-contract';
import type { JobImage } from './job-ending-events';

/** A Batch row as a stream image holds it, unmarshalled. */
export type BatchImage = Record<string, unknown>;

const ENDED_BATCH_STATUSES = ['FINISHED', 'CANCELLED'] as const;
type EndedBatchStatus = (typeof ENDED_BATCH_STATUSES)[number];

const text = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value : null;
const whole = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** A Batch image (it has a row count and rows added), as opposed to a Job image on the same fan-out. */
export const isBatchImage = (image: JobImage | BatchImage | undefined): image is BatchImage =>
  typeof image?.rowCount === 'number' && typeof image.addedRows === 'number';

/**
 * One id per ending of a batch: a stream record read twice is one event to a receiver. `finishedAt` is stamped once
 * per ending (a retry that reopens a finished batch clears it), so a batch that ends again after a retry is a new event.
 */
export const batchEventIdOf = (batchId: string, finishedAt: string): string =>
  `evt_${createHash('sha256').update(`batch:${batchId}:${finishedAt}`).digest('hex').slice(0, 32)}`;

/**
 * The `batch.finished` event a Batch stream record announces, if it is the batch's end: the write that stamps
 * `finishedAt` on a FINISHED batch, or on a CANCELLED one once its last row stopped (the progress writer stamps it
 * with the exact counts). Progress updates before and after that write announce nothing.
 */
export function batchEndingEventOf(
  newImage: BatchImage | undefined,
  oldImage: BatchImage | undefined,
  now: Date,
): { owner: string; event: WebhookEvent; metadataError?: string } | undefined {
  const status = text(newImage?.status);
  const finishedAt = text(newImage?.finishedAt);
  if (!newImage || !finishedAt || !ENDED_BATCH_STATUSES.includes(status as EndedBatchStatus))
    return undefined;
  if (text(oldImage?.finishedAt) === finishedAt) return undefined;
  const id = text(newImage.id);
  const owner = text(newImage.owner);
  if (!id || !owner) return undefined;
  const metadata = parseJobMetadata(newImage.metadata);
  return {
    owner,
    event: {
      id: batchEventIdOf(id, finishedAt),
      type: 'batch.finished',
      createdAt: now.toISOString(),
      data: {
        id,
        status: status as EndedBatchStatus,
        compositionId: text(newImage.compositionId) ?? '',
        title: text(newImage.title),
        rowCount: whole(newImage.rowCount),
        counts: {
          queued: whole(newImage.queued),
          rendering: whole(newImage.rendering),
          succeeded: whole(newImage.succeeded),
          failed: whole(newImage.failed),
          cancelled: whole(newImage.cancelled),
        },
        costUsd: typeof newImage.costUsd === 'number' ? newImage.costUsd : null,
        createdAt: text(newImage.createdAt),
        finishedAt,
        metadata: metadata.ok ? metadata.metadata : null,
      },
    },
    ...(metadata.ok ? {} : { metadataError: metadata.message }),
  };
}
