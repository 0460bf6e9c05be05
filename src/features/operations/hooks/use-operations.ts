import { useCallback, useEffect, useState } from 'react';
import type {
  DeadLetter,
  OperationResult,
  OperationsApi,
  OperationsOverview,
} from '../api/operations-api';

/** Whether the signed-in user is an admin: `undefined` while the token is read. */
export function useIsAdmin(api: OperationsApi): boolean | undefined {
  const [admin, setAdmin] = useState<boolean>();
  useEffect(() => {
    let active = true;
    api.isAdmin().then(
      (value) => active && setAdmin(value),
      () => active && setAdmin(false),
    );
    return () => {
      active = false;
    };
  }, [api]);
  return admin;
}

/** The Operations view's state: figures and dead letters, refreshed every `refreshMs`, and the admins' actions. */
export function useOperations(api: OperationsApi, refreshMs = 5000) {
  const [overview, setOverview] = useState<OperationsOverview>();
  const [deadLetters, setDeadLetters] = useState<DeadLetter[]>();
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const [figures, letters] = await Promise.all([api.getOverview(), api.listDeadLetters()]);
      setOverview(figures);
      setDeadLetters(letters);
      setError(undefined);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
  }, [api]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), refreshMs);
    return () => clearInterval(timer);
  }, [refresh, refreshMs]);

  const act = useCallback(
    async (action: () => Promise<OperationResult>) => {
      setBusy(true);
      try {
        setNotice((await action()).message);
        setError(undefined);
      } catch (caught) {
        setError(caught instanceof Error ? caught.message : String(caught));
      } finally {
        setBusy(false);
        await refresh();
      }
    },
    [refresh],
  );

  return {
    overview,
    deadLetters,
    error,
    notice,
    busy,
    refresh,
    redrive: (messageId?: string) => act(() => api.redrive(messageId)),
    discard: (messageId: string) => act(() => api.discard(messageId)),
    invite: (email: string) => act(() => api.invite(email)),
  };
}
