import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { BatchesApi, RowStatus } from '../api/batches-api';
import { useBatchRows } from '../hooks/use-batch-rows';

const ROW_HEIGHT = 32;

const STATUS_LABELS: Record<RowStatus, string> = {
  QUEUED: 'Queued',
  RENDERING: 'Rendering',
  SUCCEEDED: 'Done',
  FAILED: 'Failed',
  CANCELLED: 'Cancelled',
};

interface BatchRowListProps {
  api: BatchesApi;
  batchId: string;
  rowCount: number;
  /** Changes whenever the batch's counters do: visible rows are fetched again. */
  version: string;
  /** Queues one failed row again; absent: failed rows cannot be retried. */
  onRetryRow?: (rowIndex: number) => void;
}

/**
 * Every row of a batch in a virtualized list: only the rows on screen exist in the page, and only their pages of
 * the batch index are fetched, so 10,000 rows scroll as smoothly as 10.
 */
export function BatchRowList({ api, batchId, rowCount, version, onRetryRow }: BatchRowListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const { rowAt, showRange, error } = useBatchRows(api, batchId, version);
  const virtualizer = useVirtualizer({
    count: rowCount,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (last >= first) showRange(first, last);
  }, [first, last, showRange]);

  return (
    <div className="batch-rows">
      {error && <p className="job__error">{error}</p>}
      <div
        ref={scrollRef}
        className="batch-rows__scroll"
        role="list"
        aria-label={`Rows of the batch (${rowCount.toLocaleString('en-US')})`}
        tabIndex={0}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const row = rowAt(item.index);
            const status = row?.status;
            return (
              <div
                key={item.key}
                role="listitem"
                className={`batch-row${status ? ` batch-row--${status.toLowerCase()}` : ''}`}
                data-row={item.index + 1}
                style={{ height: item.size, transform: `translateY(${item.start}px)` }}
              >
                <span className="batch-row__number">{item.index + 1}</span>
                <span className="batch-row__title">{row?.title ?? ''}</span>
                <span className={`badge badge--${status ? status.toLowerCase() : 'queued'}`}>
                  {status ? STATUS_LABELS[status] : '…'}
                </span>
                {row?.errorMessage && (
                  <span className="batch-row__error" title={row.errorMessage}>
                    {row.errorMessage}
                  </span>
                )}
                {status === 'FAILED' && onRetryRow && (
                  <button
                    type="button"
                    className="button button--ghost batch-row__retry"
                    aria-label={`Retry row ${item.index + 1}`}
                    onClick={() => onRetryRow(item.index)}
                  >
                    Retry
                  </button>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
