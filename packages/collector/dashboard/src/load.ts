import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';

export type Loadable<T> =
  | { status: 'loading'; previous: T | null }
  | { status: 'ok'; data: T }
  | { status: 'error'; error: unknown; previous: T | null };

/**
 * Runs `load` whenever `deps` change and keeps its latest outcome; an answer to an older call
 * (the range changed meanwhile) is dropped. `reload` runs it again with the same deps.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): [Loadable<T>, () => void] {
  const [state, setState] = useState<Loadable<T>>({ status: 'loading', previous: null });
  const call = useRef(0);
  const [attempt, setAttempt] = useState(0);
  // `deps` are the caller's: `load` is a new closure on every render and must not rerun the effect.
  // A layout effect starts the request before the browser paints, not a frame later.
  useLayoutEffect(() => {
    const id = ++call.current;
    setState((s) => ({ status: 'loading', previous: s.status === 'ok' ? s.data : s.previous }));
    load().then(
      (data) => {
        if (id === call.current) setState({ status: 'ok', data });
      },
      (error: unknown) => {
        if (id === call.current)
          setState((s) => ({ status: 'error', error, previous: s.status === 'loading' ? s.previous : null }));
      },
    );
  }, [...deps, attempt]);
  const reload = useCallback(() => setAttempt((a) => a + 1), []);
  return [state, reload];
}

/** The data to show: the latest answer, or the previous one while the next loads. */
export const dataOf = <T>(state: Loadable<T>): T | null => (state.status === 'ok' ? state.data : state.previous);
