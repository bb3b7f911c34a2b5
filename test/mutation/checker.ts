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

/** Where scoped checker programs are written (git-ignored; inside the project so that Stryker's sandbox has them). */
export const SCOPED_TSCONFIG_DIR = 'test/mutation/scope';

/**
 * A checker program of the mutated files alone and what they import (`files`, not a whole layer), for a run over a
 * few files (`--each` runs one): the checker then re-checks a mutant in its own file and its imports' types only,
 * never in the layer's other files that import it. Such a mutant (one that breaks only an importer) is run by the
 * tests instead of being set aside as invalid. Undefined (use `checkerTsconfig`) for more than `max` files, or when
 * ACCORD_MUTATION_TSCONFIG is set. `name` tells concurrent runs' files apart (the run's output folder's name).
 *
 * Returns the path to write, relative to the project root, and the JSON to write there.
 */
export function scopedTsconfig(
  files: readonly string[],
  name: string,
  max = 4,
): { path: string; json: string } | undefined {
  if (process.env.ACCORD_MUTATION_TSCONFIG || files.length === 0 || files.length > max) return undefined;
  const up = '../../../';
  return {
    path: `${SCOPED_TSCONFIG_DIR}/${name.replace(/[^A-Za-z0-9_-]/g, '_')}.json`,
    json: `${JSON.stringify(
      {
        extends: `${up}tsconfig.json`,
        files: files.map((f) => `${up}${f}`),
        include: [`${up}shared/types`],
      },
      null,
      2,
    )}\n`,
  };
}

/**
 * Whether a run over `files` needs the TypeScript checker. It does not when every file's source is the one its ledger
 * entry measured (same git blob): each mutant of that source was compiled then, so checking it again only costs
 * time (on the use cases the checker was about three quarters of a re-run: docs/mutation.md, wave 12). A re-run after
 * tests changed then runs two test runners and no checker, and the entry keeps the compile errors the ledger had
 * (`keepCompileErrors` in ./ledger.ts: Stryker itself runs them as tests then). The one mutant this misses is one
 * that compiled against an import's old types and no longer does; it is then run by the tests (killed or listed
 * as a survivor), not set aside.
 *
 * `measured(f)` is the blob id the ledger entry of f measured (undefined without an entry); `current(f)` the blob
 * id of f as it is now (undefined when it is gone).
 */
export function checkerNeeded(
  files: readonly string[],
  measured: (file: string) => string | undefined,
  current: (file: string) => string | undefined,
): boolean {
  if (files.length === 0) return true;
  return files.some((f) => {
    const was = measured(f);
    return was === undefined || was !== current(f);
  });
}
