import { useState } from 'react';
import { formatClockTime, formatDuration } from '../../../lib/format-time';
import { formatEstimate } from '../../../lib/render-estimate';
import type { RenderEstimate } from '../../../../contract/output-estimate';
import { OUTPUT_FORMAT_DETAILS, type OutputFormat } from '../../../../contract/output-formats';
import { isExpired } from '../../../../contract/output-retention';
import type { Job, JobsApi, JobStatus } from '../api/jobs-api';
import { isPendingJobId } from '../hooks/use-jobs';
import { JobVideo } from './job-video';

const STATUS_LABELS: Record<JobStatus, string> = {
  QUEUED: 'Queued',
  RENDERING: 'Rendering',
  SUCCEEDED: 'Done',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

interface JobCardProps {
  job: Job;
  api: JobsApi;
  now: number;
  compositionName: string;
  /** What this render was estimated to take (and cost) before Render; null: no estimate. */
  estimate?: RenderEstimate | null;
  onCancel: (jobId: string) => void;
  /** Deletes the job; resolves true once it is gone. */
  onDelete: (jobId: string) => Promise<boolean>;
  onRenderAgain: (job: Job) => void;
}

/** One job: status, progress, timings and cost; its video when done, its error when failed. */
export function JobCard({
  job,
  api,
  now,
  compositionName,
  estimate = null,
  onCancel,
  onDelete,
  onRenderAgain,
}: JobCardProps) {
  const [deletion, setDeletion] = useState<'idle' | 'confirming' | 'deleting'>('idle');
  const status: JobStatus = job.status ?? 'QUEUED';
  const pending = isPendingJobId(job.id);
  const active = status === 'QUEUED' || status === 'RENDERING';
  const percent = Math.round(Math.min(1, Math.max(0, job.progress ?? 0)) * 100);
  const started = job.startedAt ? Date.parse(job.startedAt) : null;
  const ended = job.finishedAt ? Date.parse(job.finishedAt) : null;
  const elapsedSeconds = started !== null ? ((ended ?? now) - started) / 1000 : null;
  const title = job.title || compositionName;
  const cancelling = active && job.cancelRequested === true;
  const format =
    OUTPUT_FORMAT_DETAILS[(job.outputFormat as OutputFormat | null) ?? 'mp4'] ??
    OUTPUT_FORMAT_DETAILS.mp4;
  const scale = job.scale ?? 1;
  const expired = status === 'SUCCEEDED' && isExpired(job, now);
  const expiryDate = job.expiredAt ?? job.expiresAt;

  return (
    <article
      className={`job job--${status.toLowerCase()}`}
      aria-label={`${title}, ${STATUS_LABELS[status]}`}
    >
      <header className="job__header">
        <div className="job__heading">
          <h3 className="job__title">{title}</h3>
          <p className="job__meta">
            {compositionName} · {format.label} at {scale}× ·{' '}
            {job.createdAt ? formatClockTime(job.createdAt, new Date(now)) : 'just now'}
          </p>
        </div>
        <span className={`badge badge--${status.toLowerCase()}`} data-testid="job-status">
          {cancelling ? 'Cancelling…' : STATUS_LABELS[status]}
        </span>
      </header>

      {status === 'RENDERING' && (
        <div className="job__progress">
          <div
            className="progress"
            role="progressbar"
            aria-label={`Progress of ${title}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <div className="progress__fill" style={{ width: `${percent}%` }} />
          </div>
          <p className="job__stats">
            <span>{percent}%</span>
            {job.totalFrames ? (
              <span>
                frame {job.renderedFrames ?? 0} of {job.totalFrames}
              </span>
            ) : null}
            {typeof job.etaSeconds === 'number' && (
              <span>{formatDuration(job.etaSeconds)} left</span>
            )}
          </p>
        </div>
      )}
      {status === 'QUEUED' && (
        <p className="job__note">
          {pending ? 'Sending to the render queue…' : 'Waiting for a renderer…'}
        </p>
      )}

      <dl className="job__facts">
        {estimate && (
          <div data-testid="job-estimate">
            <dt>Estimate</dt>
            <dd>{formatEstimate(estimate)}</dd>
          </div>
        )}
        {elapsedSeconds !== null && (
          <div>
            <dt>{ended ? 'Took' : 'Elapsed'}</dt>
            <dd data-testid={ended ? 'job-actual-time' : undefined}>
              {formatDuration(elapsedSeconds)}
            </dd>
          </div>
        )}
        {typeof job.costUsd === 'number' && (
          <div>
            <dt>{active ? 'Cost so far' : 'Cost'}</dt>
            <dd>${job.costUsd.toFixed(4)}</dd>
          </div>
        )}
        {status === 'SUCCEEDED' && typeof job.outputSizeBytes === 'number' && (
          <div>
            <dt>Size</dt>
            <dd>{(job.outputSizeBytes / 1_048_576).toFixed(1)} MB</dd>
          </div>
        )}
        {status === 'SUCCEEDED' && expiryDate && (
          <div>
            <dt>{expired ? 'Expired' : 'Expires'}</dt>
            <dd data-testid="job-expiry">{new Date(expiryDate).toLocaleDateString()}</dd>
          </div>
        )}
      </dl>

      {status === 'FAILED' && (
        <p className="job__error" role="status">
          {job.errorMessage || 'The render failed without a message.'}
        </p>
      )}
      {expired && (
        <p className="job__note" role="status">
          This render's outputs expired and were deleted. Render it again to get them back.
        </p>
      )}
      {status === 'SUCCEEDED' && !expired && (
        <JobVideo api={api} jobId={job.id} title={title} format={format} />
      )}

      {deletion !== 'idle' && (
        <p className="job__note" role="alert">
          {deletion === 'deleting'
            ? active
              ? 'Cancelling the render, then deleting…'
              : 'Deleting…'
            : `Delete this job${status === 'SUCCEEDED' ? ', its video and its poster' : ''}? This cannot be undone.${active ? ' The render is cancelled first.' : ''}`}
        </p>
      )}
      <footer className="job__actions">
        {active && !pending && (
          <button
            type="button"
            className="button button--ghost button--danger"
            disabled={cancelling}
            onClick={() => onCancel(job.id)}
          >
            Cancel
          </button>
        )}
        {!pending && (
          <button type="button" className="button button--ghost" onClick={() => onRenderAgain(job)}>
            Render again
          </button>
        )}
        {!pending && deletion === 'idle' && (
          <button
            type="button"
            className="button button--ghost button--danger"
            onClick={() => setDeletion('confirming')}
          >
            Delete…
          </button>
        )}
        {deletion !== 'idle' && (
          <>
            <button
              type="button"
              className="button button--danger"
              disabled={deletion === 'deleting'}
              onClick={() => {
                setDeletion('deleting');
                void onDelete(job.id).then((gone) => {
                  if (!gone) setDeletion('idle');
                });
              }}
            >
              Delete
            </button>
            <button
              type="button"
              className="button button--ghost"
              disabled={deletion === 'deleting'}
              onClick={() => setDeletion('idle')}
            >
              Keep
            </button>
          </>
        )}
      </footer>
    </article>
  );
}
