/**
 * Runs `load` at the first call and hands its promise to every later call; a load that failed is tried
 * again at the next call. The AWS adapters load their SDK package this way, on first use rather than at
 * module init, so a Lambda's cold start pays only for the clients its events actually call.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}
