import { defineConfig } from 'vitest/config';

// The test set `npm run mutate` runs against each mutant (stryker.config.mjs): the unit tests and the end-to-end
// tests that run the embedded default in this process. Left out: tests whose code runs in other processes (a
// child server, DynamoDB Local, the CDK synth), where a mutant is never active and which cost seconds each.
export default defineConfig({
  test: {
    env: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false' },
    include: [
      'test/unit/**/*.test.ts',
      'test/e2e/**/*.test.ts',
      'test/contract/**/*.{memory,sqlite}.test.ts',
    ],
    exclude: [
      'test/e2e/telemetry-durability.test.ts',
      'test/e2e/demo.test.ts',
      'test/unit/architecture.test.ts',
    ],
    setupFiles: ['test/setup/assertions.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
