/**
 * Builds the embedded default for `npm start` (the `prestart` script): one ES module bundle of
 * infra/local/main.ts with every handler of functions/ (`dist/local/main.js`), run by plain `node`, and the
 * console's files beside it (`dist/local/console/`). Running the sources through tsx cost about 84 MB of
 * resident memory before the first request (tsx's transformer, esbuild's service, source maps held in memory);
 * the bundle runs with none of that. Packages stay in node_modules (`packages: 'external'`): better-sqlite3 is
 * native, and pdfkit and the fonts find their data files from their own location.
 *
 * Files that ship beside the code (the ASL files, the console) are found through the project root
 * (shared/runtime/project-root.ts), the same from the sources and from the bundle. Every output file is written
 * under a temporary name and renamed, so builds that run at once (two `npm start`, tests) never leave a torn file.
 *
 * Runnable alone: `npx tsx infra/local/build.ts` (about a second).
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { fromRoot, projectRoot } from '../../shared/runtime/project-root.js';
import { buildConsole } from '../console/build.js';
import type { PrebuiltAsset } from './console.js';

/** Where the build goes, under the project root (git-ignored). */
export const LOCAL_BUILD_DIR = join('dist', 'local');

/** The built server's entry point: run it with `node` (what `npm start` runs, and the benchmarks). */
export const localServerEntry = () => fromRoot(LOCAL_BUILD_DIR, 'main.js');

function writeAtomically(path: string, body: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, body);
  renameSync(tmp, path);
}

/**
 * Builds the server bundle and the console into `dist/local/`; resolves with the entry point's path.
 * @throws esbuild's error when the sources do not compile
 */
export async function buildLocalServer(): Promise<string> {
  const root = projectRoot();
  const out = fromRoot(LOCAL_BUILD_DIR);
  const consoleDir = join(LOCAL_BUILD_DIR, 'console');
  const result = await build({
    absWorkingDir: root,
    // The telemetry store's worker thread is an entry of its own (infra/local/telemetry.ts starts it by this name).
    entryPoints: {
      main: join(root, 'infra', 'local', 'main.ts'),
      'telemetry-worker': join(root, 'shared', 'adapters', 'sqlite', 'telemetry-worker-thread.ts'),
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir: out,
    // Dynamic imports stay dynamic: a handler, the AWS composition root and their packages are loaded when first
    // used, as from the sources, rather than all at start (one bundle hoists every package import to its top).
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    // No source map: a map held for stack traces is memory the server pays for from its first request.
    sourcemap: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { __ACCORD_PREBUILT_CONSOLE__: JSON.stringify(consoleDir), __ACCORD_LOCAL_BUILD__: 'true' },
    // Node's ESM has no require(): some CommonJS dependencies inlined by a bundle would need one.
    banner: {
      js: "import { createRequire as __accordCreateRequire } from 'node:module';\nconst require = __accordCreateRequire(import.meta.url);",
    },
  });
  const assets = await buildConsole();
  const list: PrebuiltAsset[] = assets.map((a, i) => ({
    path: a.path,
    contentType: a.contentType,
    file: `${i}-${a.path === '/' ? 'index.html' : a.path.split('/').pop()}`,
  }));
  for (const [i, a] of assets.entries()) writeAtomically(fromRoot(consoleDir, list[i]!.file), a.body);
  writeAtomically(fromRoot(consoleDir, 'assets.json'), JSON.stringify(list));
  for (const f of result.outputFiles) writeAtomically(f.path, f.contents);
  pruneChunks(join(out, 'chunks'), new Set(result.outputFiles.map((f) => f.path)));
  return join(out, 'main.js');
}

/** How long a chunk of an earlier build is kept: a server started from that build may still load it lazily. */
const STALE_CHUNK_MS = 7 * 24 * 3_600_000;

/** Removes chunks of earlier builds (names carry a content hash) not written for a week. */
function pruneChunks(dir: string, current: ReadonlySet<string>): void {
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (current.has(path)) continue;
    try {
      if (now - statSync(path).mtimeMs > STALE_CHUNK_MS) rmSync(path, { force: true });
    } catch {
      // another build removed it first
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const entry = await buildLocalServer();
  console.log(`built ${relative(process.cwd(), entry)} in ${Date.now() - started} ms`);
}
