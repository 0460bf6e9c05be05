import { useCallback, useEffect, useState } from 'react';
import type { Batch, BatchesApi } from '../api/batches-api';

const timeOf = (value: string | null | undefined) => (value ? Date.parse(value) : 0);

/** Newer wins: a late list result must not undo an update that came by subscription. */
function upsertBatch(batches: readonly Batch[], incoming: Batch): Batch[] {
  const current = batches.find((batch) => batch.id === incoming.id);
  if (current && timeOf(current.updatedAt) > timeOf(incoming.updatedAt)) return [...batches];
  const merged = { ...current, ...incoming };
  return [...batches.filter((batch) => batch.id !== incoming.id), merged].sort(
    (a, b) => timeOf(b.createdAt) - timeOf(a.createdAt),
  );
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Delay before subscribing again after the subscription failed. */
const RESUBSCRIBE_MS = 2_000;

/**
 * The owner's recent batches, newest first, kept current by the Batch subscription (aggregate updates the server
 * throttles, never one message per row). Cancel and retry answer with the updated batch.
 */
export function useBatches(api: BatchesApi, { limit = 5 }: { limit?: number } = {}) {
  const [batches, setBatches] = useState<Batch[]>([]);
  const [error, setError] = useState<string | null>(null);

  const upsert = useCallback((batch: Batch) => setBatches((list) => upsertBatch(list, batch)), []);

  const listRecent = useCallback(async () => {
    try {
      const listed = await api.listBatches({ limit });
      setBatches((list) => listed.reduce(upsertBatch, list));
    } catch (cause) {
      setError(`Could not load your batches: ${messageOf(cause)}`);
    }
  }, [api, limit]);

  useEffect(() => {
    let active = true;
    let unsubscribe = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscribe = () => {
      unsubscribe = api.subscribe({
        onBatch: (batch) => active && upsert(batch),
        onError: () => {
          if (!active) return;
          unsubscribe();
          timer = setTimeout(() => {
            if (!active) return;
            subscribe();
            // Updates missed while the subscription was down come back with a fresh list.
            void listRecent();
          }, RESUBSCRIBE_MS);
        },
      });
    };
    subscribe();
    void listRecent();
    return () => {
      active = false;
      clearTimeout(timer);
      unsubscribe();
    };
  }, [api, listRecent, upsert]);

  const act = useCallback(
    async (what: string, call: () => Promise<Batch>) => {
      try {
        upsert(await call());
        setError(null);
      } catch (cause) {
        setError(`Could not ${what}: ${messageOf(cause)}`);
      }
    },
    [upsert],
  );

  return {
    batches,
    error,
    /** Shows a batch the studio just created, before its first subscription event. */
    showBatch: upsert,
    cancelBatch: (batchId: string) => act('cancel the batch', () => api.cancelBatch(batchId)),
    /** Queues the given failed rows again, or every failed row of the batch. */
    retryFailedRows: (batchId: string, rowIndexes?: readonly number[]) =>
      act('retry the failed rows', () => api.retryBatchRows(batchId, rowIndexes)),
    refresh: listRecent,
  };
}

/** Everything {@link useBatches} returns. */
export type BatchesController = ReturnType<typeof useBatches>;
