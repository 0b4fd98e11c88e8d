import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from './api.js';

export interface Loaded<T> {
  data?: T;
  error: Error | null;
  loading: boolean;
  /** Fetch again (after a change, or from a Refresh button). */
  reload(): void;
}

/** GETs `path` when the component mounts (and whenever `path` changes). */
export function useApi<T>(path: string): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error: Error | null; loading: boolean }>({ error: null, loading: true });
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    api<T>(path, { signal: abort.signal }).then(
      (data) => setState({ data, error: null, loading: false }),
      (error: Error) => {
        if (error.name !== 'AbortError') setState((s) => ({ ...s, error, loading: false }));
      },
    );
    return () => abort.abort();
  }, [path, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload };
}
