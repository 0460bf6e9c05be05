import type { BatchesApi } from '../api/batches-api';
import type { BatchesController } from '../hooks/use-batches';
import { BatchCard } from './batch-card';

interface BatchesSectionProps {
  api: BatchesApi;
  batches: BatchesController;
  compositionNames: Readonly<Record<string, string>>;
}

/** The owner's recent batches as cards, shown at the top of the jobs panel. */
export function BatchesSection({ api, batches, compositionNames }: BatchesSectionProps) {
  if (batches.batches.length === 0 && !batches.error) return null;
  return (
    <div className="batches" aria-label="Batches" role="region">
      {batches.error && (
        <p className="alert alert--error" role="alert">
          {batches.error}
        </p>
      )}
      <ol className="jobs__list">
        {batches.batches.map((batch) => (
          <li key={batch.id}>
            <BatchCard
              batch={batch}
              api={api}
              compositionName={compositionNames[batch.compositionId] ?? batch.compositionId}
              onCancel={batches.cancelBatch}
              onRetryFailed={batches.retryFailedRows}
            />
          </li>
        ))}
      </ol>
    </div>
  );
}
