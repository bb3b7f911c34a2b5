import { defineConfig } from 'vitest/config';

// The test set `npm run mutate` runs against each mutant (stryker.config.mjs): the unit tests. Left out:
// - the end-to-end tests: each file starts the whole embedded default, and every one of them imports every use
//   case, so Stryker's `related` filter keeps them all: measured at about 20 s per mutant on this machine,
//   which would make a full run of a few thousand mutants last a day. The domain and the use cases are tested
//   at the unit level for that reason;
// - the contract tests: they test adapters, and every one of them imports the domain's errors and types, so
//   each mutant of a module-level constant (a static mutant, run against every related test) ran them all;
// - tests whose code runs in another process (a child server, DynamoDB Local, the CDK synth), where a mutant
//   is never active;
// - the architecture test, which reads source files as text.
export default defineConfig({
  test: {
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false' },
    include: ['test/unit/**/*.test.ts'],
    exclude: ['test/unit/architecture.test.ts'],
    setupFiles: ['test/setup/assertions.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
