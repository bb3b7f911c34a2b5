import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The project's root directory (the one holding Accord's package.json), found by walking up from this module's
 * own file. It is the one way to reach files that ship beside the code (ASL files under infra/workflows/, the
 * console's sources): the same answer from the TypeScript sources (vitest, tsx, the CDK app) and from the local
 * server's bundle (`dist/local/main.js`, built by infra/local/build.ts), where `import.meta.url` is the bundle's
 * and a path relative to a source file no longer means anything.
 * @throws Error when no ancestor directory holds Accord's package.json (the code was copied out of the project)
 */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'accord'
    ) {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error(`Accord's package.json not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** A path under the project's root: `fromRoot('infra', 'workflows')`. */
export function fromRoot(...segments: string[]): string {
  return join(projectRoot(), ...segments);
}
