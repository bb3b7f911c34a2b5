import { defineConfig } from 'vitest/config';

// One runner for every layer. Projects keep the layers apart so a failure says where it is.
const env = { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_DEV: 'false' };
// Every test must run at least one assertion (test/setup/assertions.ts). Not in the infra project: its tests assert
// with the CDK's Template API (hasResourceProperties, resourceCountIs), which throws on a mismatch but is not a
// vitest assertion, so the guard would fail them all or force noise around each check.
const setupFiles = ['test/setup/assertions.ts'];

export default defineConfig({
  test: {
    // Two files at a time (vitest's default is one fewer than the cores: ONE on the gate's 2-core machine). Most files
    // wait on a peer process (DynamoDB Local, Chromium, Prometheus, a child server), not on the CPU.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          env,
          setupFiles,
          include: ['test/unit/**/*.test.ts'],
          // Not vitest's 5 s default: a report's golden render took 7.8–11.5 s on this 2-core machine at load 15 (about
          // 2 s quiet), and the gate's machine varies two- to threefold. A hang still fails.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'contract',
          env,
          setupFiles,
          include: ['test/contract/**/*.test.ts'],
          // One DynamoDB Local for the project's DynamoDB suites (test/helpers/dynamodb-local.ts).
          globalSetup: ['test/helpers/dynamodb-global.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'infra',
          env,
          include: ['test/infra/**/*.test.ts'],
          // The app is synthesized once for the project, in the background (test/infra/support/templates.ts).
          globalSetup: ['test/infra/support/global-setup.ts'],
          // cdk synth takes about 10 s on a quiet 2-core machine and minutes on a loaded one: a hang, not slowness, should fail.
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
      {
        test: {
          name: 'e2e',
          env,
          setupFiles,
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Files run in parallel: each starts its own servers and peers on free ports (port 0) with their own
          // temporary data directories.
        },
      },
    ],
  },
});
