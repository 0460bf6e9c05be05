import type { ReactNode } from 'react';
import type { Job, JobsApi } from '../api/jobs-api';
import type { RenderEstimate } from '../../../../contract/output-estimate';
import type { JobsController } from '../hooks/use-jobs';
import { useNow } from '../hooks/use-now';
import { JobCard } from './job-card';

interface JobsPanelProps {
  api: JobsApi;
  jobs: JobsController;
  /** Display names by composition id. */
  compositionNames: Readonly<Record<string, string>>;
  /** The owner's batch cards, shown above the single renders (the app supplies them). */
  batches?: ReactNode;
  /** The estimate a job's render had before Render (the app computes it); absent: none shown. */
  estimateOf?: (job: Job) => RenderEstimate | null;
}

/** The owner's jobs, newest first, live. */
export function JobsPanel({ api, jobs, compositionNames, batches, estimateOf }: JobsPanelProps) {
  const anyActive = jobs.jobs.some((job) => job.status === 'QUEUED' || job.status === 'RENDERING');
  const now = useNow(anyActive);

  return (
    <section className="panel jobs" aria-labelledby="jobs-heading">
      <div className="panel__header">
        <h2 id="jobs-heading" className="panel__title">
          Renders
        </h2>
        {jobs.connection === 'reconnecting' && (
          <span className="chip chip--warning" role="status">
            Reconnecting…
          </span>
        )}
      </div>
      {jobs.error && jobs.phase === 'ready' && (
        <p className="alert alert--error" role="alert">
          {jobs.error}
        </p>
      )}
      {batches}
      {jobs.phase === 'loading' && (
        <div className="jobs__loading" aria-busy="true">
          <div className="skeleton job-skeleton" />
          <div className="skeleton job-skeleton" />
          <span className="visually-hidden">Loading your renders…</span>
        </div>
      )}
      {jobs.phase === 'error' && (
        <div className="alert alert--error" role="alert">
          <p>{jobs.error}</p>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => void jobs.retry()}
          >
            Try again
          </button>
        </div>
      )}
      {jobs.phase === 'ready' && jobs.jobs.length === 0 && (
        <p className="empty">
          No renders yet. Edit the props and press Render; your videos appear here.
        </p>
      )}
      <ol className="jobs__list">
        {jobs.jobs.map((job) => (
          <li key={job.id}>
            <JobCard
              job={job}
              api={api}
              now={now}
              compositionName={compositionNames[job.compositionId] ?? job.compositionId}
              estimate={estimateOf?.(job) ?? null}
              onCancel={(id) => void jobs.cancelJob(id)}
              onDelete={(id) => jobs.removeJob(id)}
              onRenderAgain={(again) => void jobs.renderAgain(again)}
            />
          </li>
        ))}
      </ol>
      {jobs.hasMore && (
        <button
          type="button"
          className="button button--secondary jobs__more"
          disabled={jobs.loadingMore}
          onClick={() => void jobs.loadMore()}
        >
          {jobs.loadingMore ? 'Loading…' : 'Show older renders'}
        </button>
      )}
    </section>
  );
}
