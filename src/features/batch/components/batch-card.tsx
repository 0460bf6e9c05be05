import { useEffect, useState } from 'react';
import './batch.css';
import { summarizeBatch } from '../../../../contract/batch-contract';
import { formatDuration } from '../../../lib/format-time';
import type { Batch, BatchesApi } from '../api/batches-api';
import { downloadBatch } from '../download/download-batch';
import { BatchRowList } from './batch-row-list';

const STATUS_LABELS: Record<Batch['status'], string> = {
  OPEN: 'Uploading',
  RUNNING: 'Running',
  FINISHED: 'Finished',
  CANCELLED: 'Cancelled',
};

/** The current time, ticking each second while `active` (the elapsed time and ETA). */
function useTicker(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

interface BatchCardProps {
  batch: Batch;
  api: BatchesApi;
  compositionName: string;
  onCancel: (batchId: string) => Promise<void>;
  /** Every failed row, or only `rowIndexes`. */
  onRetryFailed: (batchId: string, rowIndexes?: readonly number[]) => Promise<void>;
}

/** One batch: live counts per status, overall %, ETA and cost, its rows, and Cancel / Retry / Download all. */
export function BatchCard({
  batch,
  api,
  compositionName,
  onCancel,
  onRetryFailed,
}: BatchCardProps) {
  const ended = batch.status === 'FINISHED' || batch.status === 'CANCELLED';
  const now = useTicker(!ended);
  const endedAt = batch.finishedAt ? Date.parse(batch.finishedAt) : now;
  const elapsedSeconds = Math.max(0, (endedAt - Date.parse(batch.createdAt)) / 1000);
  const summary = summarizeBatch(batch, batch.rowCount, elapsedSeconds);
  const title = batch.title || compositionName;
  // The server refuses to retry rows of a cancelled batch: a new batch from the same file is the way.
  const canRetry = batch.status !== 'CANCELLED';
  const [showRows, setShowRows] = useState(false);
  const [busy, setBusy] = useState<'cancel' | 'retry' | 'download' | null>(null);
  const [download, setDownload] = useState<{ done: number; total: number } | null>(null);
  const [notice, setNotice] = useState<{ kind: 'error' | 'info'; text: string } | null>(null);

  const run = async (what: 'cancel' | 'retry', action: () => Promise<void>) => {
    setBusy(what);
    try {
      await action();
    } finally {
      setBusy(null);
    }
  };
  const downloadAll = async () => {
    setBusy('download');
    setNotice(null);
    setDownload({ done: 0, total: batch.succeeded });
    try {
      const archive = await downloadBatch(api, batch, (done, total) =>
        setDownload({ done, total }),
      );
      // The save dialog was closed: nothing to say.
      if (!archive) return;
      setNotice(
        archive.failedDownloads > 0
          ? {
              kind: 'error',
              text: `${archive.failedDownloads} video(s) could not be fetched; manifest.csv says which. Try again later.`,
            }
          : { kind: 'info', text: `Saved ${archive.videos} video(s) and manifest.csv.` },
      );
    } catch (error) {
      setNotice({
        kind: 'error',
        text: `Could not build the ZIP: ${error instanceof Error ? error.message : String(error)}`,
      });
    } finally {
      setBusy(null);
      setDownload(null);
    }
  };

  const counts = [
    ['Queued', batch.queued, 'queued'],
    ['Rendering', batch.rendering, 'rendering'],
    ['Done', batch.succeeded, 'succeeded'],
    ['Failed', batch.failed, 'failed'],
    ['Cancelled', batch.cancelled, 'cancelled'],
  ] as const;

  return (
    <article
      className={`job batch batch--${batch.status.toLowerCase()}`}
      aria-label={`Batch ${title}, ${STATUS_LABELS[batch.status]}`}
      data-batch-id={batch.id}
    >
      <header className="job__header">
        <div className="job__heading">
          <h3 className="job__title">{title}</h3>
          <p className="job__meta">
            Batch of {batch.rowCount.toLocaleString('en-US')} rows · {compositionName}
          </p>
        </div>
        <span
          className={`badge badge--${ended ? (batch.status === 'FINISHED' ? 'succeeded' : 'cancelled') : 'rendering'}`}
          data-testid="batch-status"
        >
          {STATUS_LABELS[batch.status]}
        </span>
      </header>

      <div className="job__progress">
        <div
          className="progress"
          role="progressbar"
          aria-label={`Progress of batch ${title}`}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={summary.percent}
        >
          <div className="progress__fill" style={{ width: `${summary.percent}%` }} />
        </div>
        <p className="job__stats">
          <span>{summary.percent}%</span>
          <span>
            {summary.finished.toLocaleString('en-US')} of {batch.rowCount.toLocaleString('en-US')}{' '}
            ended
          </span>
          {!ended && summary.etaSeconds !== undefined && (
            <span data-testid="batch-eta">about {formatDuration(summary.etaSeconds)} left</span>
          )}
        </p>
      </div>

      <dl className="job__facts batch__counts" data-testid="batch-counts">
        {counts.map(([label, value, key]) => (
          <div key={key} data-count={key}>
            <dt>{label}</dt>
            <dd>{value.toLocaleString('en-US')}</dd>
          </div>
        ))}
        {typeof batch.costUsd === 'number' && (
          <div>
            <dt>{ended ? 'Cost' : 'Cost so far'}</dt>
            <dd>${batch.costUsd.toFixed(4)}</dd>
          </div>
        )}
        <div>
          <dt>{ended ? 'Took' : 'Elapsed'}</dt>
          <dd>{formatDuration(elapsedSeconds)}</dd>
        </div>
      </dl>

      {batch.status === 'OPEN' && (
        <p className="job__note">
          {batch.addedRows.toLocaleString('en-US')} of {batch.rowCount.toLocaleString('en-US')} rows
          received…
        </p>
      )}
      {download && (
        <p className="job__note" role="status">
          Fetching videos: {download.done} of {download.total}…
        </p>
      )}
      {notice && (
        <p className={notice.kind === 'error' ? 'job__error' : 'job__note'} role="status">
          {notice.text}
        </p>
      )}

      {showRows && (
        <BatchRowList
          api={api}
          batchId={batch.id}
          rowCount={batch.rowCount}
          version={batch.updatedAt}
          onRetryRow={canRetry ? (rowIndex) => void onRetryFailed(batch.id, [rowIndex]) : undefined}
        />
      )}

      <footer className="job__actions">
        <button
          type="button"
          className="button button--ghost"
          aria-expanded={showRows}
          onClick={() => setShowRows(!showRows)}
        >
          {showRows ? 'Hide rows' : 'Show rows'}
        </button>
        {!ended && (
          <button
            type="button"
            className="button button--ghost button--danger"
            disabled={busy !== null}
            onClick={() => void run('cancel', () => onCancel(batch.id))}
          >
            {busy === 'cancel' ? 'Cancelling…' : 'Cancel batch'}
          </button>
        )}
        {batch.failed > 0 && canRetry && (
          <button
            type="button"
            className="button button--ghost"
            disabled={busy !== null}
            onClick={() => void run('retry', () => onRetryFailed(batch.id))}
          >
            {busy === 'retry' ? 'Retrying…' : `Retry ${batch.failed} failed`}
          </button>
        )}
        {batch.succeeded > 0 && (
          <button
            type="button"
            className="button button--secondary"
            disabled={busy !== null}
            onClick={() => void downloadAll()}
          >
            {busy === 'download' ? 'Building ZIP…' : 'Download all'}
          </button>
        )}
      </footer>
    </article>
  );
}
