import { useCallback, useEffect, useState } from "react";

// Loads data with `loader(signal)` whenever `key` changes (or reload() is
// called); exposes loading, data, error and reload. Stale requests are aborted.
export function useResource(loader, key) {
  const [attempt, setAttempt] = useState(0);
  const requestKey = `${key}#${attempt}`;
  const [result, setResult] = useState({ key: null, data: null, error: null });

  useEffect(() => {
    const controller = new AbortController();
    loader(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ key: requestKey, data, error: null });
      },
      (error) => {
        if (!controller.signal.aborted) setResult({ key: requestKey, data: null, error });
      },
    );
    return () => controller.abort();
    // `loader` is a new function on every render; `requestKey` says when to load.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [requestKey]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const loading = result.key !== requestKey;
  return {
    loading,
    data: loading ? null : result.data,
    error: loading ? null : result.error,
    reload,
  };
}
