// Mutation testing of the domain and the use cases: `npm run mutate` (test/mutation/run.ts), never `npm test`.
// Incremental: the previous result lives under .accord/mutation/ (see test/mutation/run.ts for why not in git).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // The tests that reach the domain and the use cases in this process: unit and the in-process end-to-end tests.
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Per-test coverage: each mutant runs only the tests that executed its code.
  coverageAnalysis: 'perTest',
  mutate: ['shared/domain/**/*.ts', 'shared/usecases/**/*.ts'],
  // Two cores, shared: one test runner and the checker each.
  concurrency: 2,
  checkerNodeArgs: ['--max-old-space-size=2048'],
  timeoutMS: 10000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: '.accord/mutation/stryker-incremental.json',
  reporters: ['json', 'html', 'progress'],
  jsonReporter: { fileName: '.accord/mutation/mutation.json' },
  htmlReporter: { fileName: '.accord/mutation/mutation.html' },
  tempDirName: '.accord/stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['.accord', 'cdk.out', 'coverage', 'dist', 'docs', '.git'],
  thresholds: { high: 90, low: 80, break: null },
};
