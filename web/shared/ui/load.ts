// Data a component shows, loaded once per change of its inputs; a refusal becomes a message.
import { useCallback, useEffect, useState } from "preact/hooks";
import { messageOf } from "../problems";

export type Loaded<T> = {
  data: T | undefined; error: string | null; loading: boolean; reload: () => void;
  /** What was thrown, for callers that act on its kind (a 401, no connection). */
  failure: unknown;
};

export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error: string | null; loading: boolean; failure?: unknown }>({ error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ error: messageOf(error), loading: false, failure: error }),
    );
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, failure: state.failure };
}
