import { formatClockTime, formatDuration } from '../../../lib/format-time';
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
  onCancel: (jobId: string) => void;
  onRenderAgain: (job: Job) => void;
}

/** One job: status, progress, timings and cost; its video when done, its error when failed. */
export function JobCard({ job, api, now, compositionName, onCancel, onRenderAgain }: JobCardProps) {
  const status: JobStatus = job.status ?? 'QUEUED';
  const pending = isPendingJobId(job.id);
  const active = status === 'QUEUED' || status === 'RENDERING';
  const percent = Math.round(Math.min(1, Math.max(0, job.progress ?? 0)) * 100);
  const started = job.startedAt ? Date.parse(job.startedAt) : null;
  const ended = job.finishedAt ? Date.parse(job.finishedAt) : null;
  const elapsedSeconds = started !== null ? ((ended ?? now) - started) / 1000 : null;
  const title = job.title || compositionName;
  const cancelling = active && job.cancelRequested === true;

  return (
    <article
      className={`job job--${status.toLowerCase()}`}
      aria-label={`${title}, ${STATUS_LABELS[status]}`}
    >
      <header className="job__header">
        <div className="job__heading">
          <h3 className="job__title">{title}</h3>
          <p className="job__meta">
            {compositionName} ·{' '}
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
        {elapsedSeconds !== null && (
          <div>
            <dt>{ended ? 'Took' : 'Elapsed'}</dt>
            <dd>{formatDuration(elapsedSeconds)}</dd>
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
      </dl>

      {status === 'FAILED' && (
        <p className="job__error" role="status">
          {job.errorMessage || 'The render failed without a message.'}
        </p>
      )}
      {status === 'SUCCEEDED' && <JobVideo api={api} jobId={job.id} title={title} />}

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
      </footer>
    </article>
  );
}
