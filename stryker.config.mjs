// Mutation testing of the domain and the use cases: `npm run mutate` (test/mutation/run.ts), never `npm test`.
// Incremental: test/mutation/run.ts rebuilds the incremental file under .accord/mutation/ from the ledger kept in git
// (test/mutation/ledger/, test/mutation/ledger.ts says why) before each run, and records the run into it after.
// ACCORD_MUTATION_OUT (default .accord/mutation) lets two runs share a checkout, each with its own files and sandbox.
const OUT = process.env.ACCORD_MUTATION_OUT || '.accord/mutation';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  // The unit tests (vitest.mutate.config.ts says why not the others); `related` and perTest coverage pick, for each
  // mutant, only the tests that executed its code.
  vitest: { configFile: 'vitest.mutate.config.ts', related: true },
  // Off (ACCORD_MUTATION_CHECKER=off, set by test/mutation/run.ts) when every mutated source is the one its ledger
  // entry measured: its compile errors are reused and the other mutants compiled then (test/mutation/checker.ts).
  checkers: process.env.ACCORD_MUTATION_CHECKER === 'off' ? [] : ['typescript'],
  // The checker compiles the mutated layer and what it imports, nothing that imports it: tsconfig.mutate.json is
  // shared/usecases + shared/domain (171 files with their imports), tsconfig.mutate-domain.json shared/domain alone
  // (94). test/mutation/run.ts picks the domain one through ACCORD_MUTATION_TSCONFIG when every file in scope is a
  // domain file. A mutant is re-checked in every file that imports its file, so each file left out of the program
  // is work saved: compiling all of shared/ (303 files) made credits.ts + violations.ts's 152 mutants take 297 s
  // against 174 s domain-only at a higher load, with the same 55 compile errors found (docs/mutation.md, wave 9).
  tsconfigFile: process.env.ACCORD_MUTATION_TSCONFIG || 'tsconfig.mutate.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // Per-test coverage: each mutant runs only the tests that executed its code.
  coverageAnalysis: 'perTest',
  mutate: ['shared/domain/**/*.ts', 'shared/usecases/**/*.ts'],
  // Two cores: one TypeScript checker and one test runner (Stryker gives checkers half the slots, rounded up). On the
  // use cases the checker is the bottleneck (one core busy, the runner idle two thirds of the time: docs/mutation.md,
  // wave 12), so ACCORD_MUTATION_CONCURRENCY=3 gives two checkers and one runner.
  concurrency: Number(process.env.ACCORD_MUTATION_CONCURRENCY) || 2,
  checkerNodeArgs: ['--max-old-space-size=2048'],
  timeoutMS: 10000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: `${OUT}/stryker-incremental.json`,
  reporters: ['json', 'html', 'progress'],
  jsonReporter: { fileName: `${OUT}/mutation.json` },
  htmlReporter: { fileName: `${OUT}/mutation.html` },
  tempDirName: `${OUT}/stryker-tmp`,
  cleanTempDir: true,
  ignorePatterns: ['.accord', 'cdk.out', 'coverage', 'dist', 'docs', '.git', 'test/mutation/ledger'],
  thresholds: { high: 90, low: 80, break: null },
};
