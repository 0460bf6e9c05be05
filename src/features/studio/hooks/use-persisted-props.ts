import { useCallback, useState } from 'react';
import type { z } from 'zod';

type Props = Record<string, unknown>;

/** localStorage key of a composition's last edited props. */
export const propsStorageKey = (compositionId: string) => `render-studio:props:${compositionId}`;

/**
 * The props being edited for one composition, kept in localStorage so they survive a reload.
 * Stored props are used only if they still parse against the schema (it may have changed since).
 */
export function usePersistedProps(
  compositionId: string,
  schema: z.ZodObject,
  defaultProps: Props,
  storage: Storage = localStorage,
): { props: Props; setProps: (next: Props) => void; resetProps: () => void } {
  const [state, setState] = useState(() => ({
    compositionId,
    props: readStoredProps(storage, compositionId, schema) ?? defaultProps,
  }));
  // A different composition: load its props during render rather than in an effect (no flash of stale props).
  let props = state.props;
  if (state.compositionId !== compositionId) {
    props = readStoredProps(storage, compositionId, schema) ?? defaultProps;
    setState({ compositionId, props });
  }

  const setProps = useCallback(
    (next: Props) => {
      setState({ compositionId, props: next });
      writeStoredProps(storage, compositionId, next);
    },
    [compositionId, storage],
  );
  const resetProps = useCallback(() => {
    setState({ compositionId, props: defaultProps });
    storage.removeItem(propsStorageKey(compositionId));
  }, [compositionId, defaultProps, storage]);

  return { props, setProps, resetProps };
}

function readStoredProps(
  storage: Storage,
  compositionId: string,
  schema: z.ZodObject,
): Props | undefined {
  try {
    const raw = storage.getItem(propsStorageKey(compositionId));
    if (raw === null) return undefined;
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as Props) : undefined;
  } catch {
    return undefined; // unreadable storage or JSON: fall back to the defaults
  }
}

function writeStoredProps(storage: Storage, compositionId: string, props: Props) {
  try {
    // NaN (an emptied number box) becomes null in JSON; the next load then rejects it and uses defaults.
    storage.setItem(propsStorageKey(compositionId), JSON.stringify(props));
  } catch {
    // Storage full or disabled: editing still works, it just will not survive a reload.
  }
}
