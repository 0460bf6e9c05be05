import { useCallback, useEffect, useRef, useState } from 'react';
import type { BatchRowJob, BatchesApi } from '../api/batches-api';

/** Rows fetched per request: one range of the batch's index. */
export const ROWS_PAGE_SIZE = 100;

const pageOf = (rowIndex: number) => Math.floor(rowIndex / ROWS_PAGE_SIZE);

/**
 * A batch's rows, loaded page by page (a row-index range per request) as the list shows them. `showRange` tells
 * which rows are on screen; their pages load once, and load again when `version` changes (the batch's counters
 * moved), so visible rows stay current without a message per row.
 */
export function useBatchRows(api: BatchesApi, batchId: string, version: string) {
  const [pages, setPages] = useState<ReadonlyMap<number, BatchRowJob[]>>(new Map());
  const [error, setError] = useState<string | null>(null);
  const visible = useRef<{ first: number; last: number }>({ first: 0, last: -1 });
  const loading = useRef(new Set<number>());
  const loadedVersion = useRef(new Map<number, string>());

  const loadPage = useCallback(
    async (page: number, atVersion: string) => {
      if (loading.current.has(page) || loadedVersion.current.get(page) === atVersion) return;
      loading.current.add(page);
      try {
        const rows = await api.listBatchRows(batchId, {
          fromRowIndex: page * ROWS_PAGE_SIZE,
          toRowIndex: (page + 1) * ROWS_PAGE_SIZE - 1,
        });
        loadedVersion.current.set(page, atVersion);
        setPages((current) => new Map(current).set(page, rows));
        setError(null);
      } catch (cause) {
        setError(`Could not load rows: ${cause instanceof Error ? cause.message : String(cause)}`);
      } finally {
        loading.current.delete(page);
      }
    },
    [api, batchId],
  );

  const versionRef = useRef(version);
  versionRef.current = version;

  /** Loads the pages that hold rows `first` … `last` (what the virtual list renders). */
  const showRange = useCallback(
    (first: number, last: number) => {
      visible.current = { first, last };
      for (let page = pageOf(first); page <= pageOf(last); page += 1)
        void loadPage(page, versionRef.current);
    },
    [loadPage],
  );

  // The batch moved on: refresh what is on screen (pages off screen refresh when scrolled back to).
  useEffect(() => {
    const { first, last } = visible.current;
    if (last >= first) showRange(first, last);
  }, [version, showRange]);

  const rowAt = useCallback(
    (rowIndex: number): BatchRowJob | undefined =>
      pages.get(pageOf(rowIndex))?.find((row) => row.rowIndex === rowIndex),
    [pages],
  );

  return { rowAt, showRange, error };
}
