import { beforeEach, expect } from 'vitest';

// Every test must run at least one assertion: a check that sits behind a branch, a loop over an empty list or a
// swallowed exception can no longer pass with nothing checked. A test that means "this does not throw" says so
// with `expect(...).not.toThrow()` (or `resolves`).
beforeEach(() => {
  expect.hasAssertions();
});
