/** What a refused call is answered with: the thrown error's class name, message and details. */
export interface Refusal {
  name: string;
  message: string;
  details: unknown;
}

/**
 * Runs `f` and returns the name, message and details of the error it throws, so that a test can compare a refusal
 * whole. Fails the test (throws) when `f` returns without throwing.
 */
export function refusal(f: () => unknown): Refusal {
  try {
    f();
  } catch (e) {
    const err = e as Error & { details?: unknown };
    return { name: err.name, message: err.message, details: err.details };
  }
  throw new Error('expected a refusal, the call returned without throwing');
}

/** What `f` throws, or undefined when it returns: for checking the class of a refusal (`toBeInstanceOf`). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}
