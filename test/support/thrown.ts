/**
 * Errors as values, so that tests assert on them outside any catch block (an assertion inside a catch
 * can be swallowed, or skipped when nothing throws).
 */

/** What `fn` throws, or undefined when it returns: for properties where either outcome is allowed. */
export function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** What `fn` throws; the test fails here when it returns. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, but nothing was thrown');
}

/** What `promise` rejects with; the test fails here when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
