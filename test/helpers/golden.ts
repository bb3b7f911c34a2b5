import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { expect } from 'vitest';

/** Golden files are rewritten only when the run says so: `UPDATE_GOLDEN=1 npx vitest run …`. */
export const UPDATING = process.env.UPDATE_GOLDEN === '1';

/**
 * Compares bytes with a stored golden file. On a mismatch the new output is written beside it as
 * `<name>.changed.<ext>` for a person to open (never over the golden file), and the test fails.
 */
export function expectGolden(path: string, actual: Uint8Array): void {
  if (UPDATING || !existsSync(path)) {
    if (!UPDATING)
      throw new Error(`no golden file ${path}: run with UPDATE_GOLDEN=1 to write it, then review it`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  const expected = readFileSync(path);
  const same = Buffer.compare(expected, Buffer.from(actual)) === 0;
  if (!same) writeFileSync(path.replace(/(\.[^./]+)$/, '.changed$1'), actual);
  expect(same, `${path} differs from the golden file; the new output is beside it as .changed`).toBe(true);
}
