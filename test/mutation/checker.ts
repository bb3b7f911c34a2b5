/**
 * The tsconfig the TypeScript checker compiles for a run over `files` (stryker.config.mjs says why it is narrow):
 * `tsconfig.mutate-domain.json` when every file is under shared/domain, else `tsconfig.mutate.json`. An explicit
 * ACCORD_MUTATION_TSCONFIG wins.
 *
 * In a module of its own because both run.ts and sample.ts need it: sample.ts importing it from run.ts, which
 * imports sample.ts dynamically from its top-level await, made each wait for the other (the sample exited at once
 * with Node's code 13, "unsettled top-level await", having printed nothing).
 */
export function checkerTsconfig(files: readonly string[]): string {
  if (process.env.ACCORD_MUTATION_TSCONFIG) return process.env.ACCORD_MUTATION_TSCONFIG;
  return files.length > 0 && files.every((f) => f.startsWith('shared/domain/'))
    ? 'tsconfig.mutate-domain.json'
    : 'tsconfig.mutate.json';
}
