import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, type BuildResult, build, buildSync } from 'esbuild';

/** One file of the built console: its URL path, content type and bytes. */
export interface ConsoleAsset {
  path: string;
  contentType: string;
  body: Buffer;
}

const SRC = fileURLToPath(new URL('./src/', import.meta.url));
const UPLOT_CSS = fileURLToPath(new URL('../../node_modules/uplot/dist/uPlot.min.css', import.meta.url));

const OPTIONS: BuildOptions = {
  entryPoints: [`${SRC}main.ts`],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome120', 'firefox120', 'safari17'],
  write: false,
  outdir: '/console',
  legalComments: 'none',
  logLevel: 'silent',
};

function assets(out: BuildResult): ConsoleAsset[] {
  const js = out.outputFiles!.find((f) => f.path.endsWith('.js'))!;
  const css = Buffer.concat([readFileSync(UPLOT_CSS), readFileSync(`${SRC}styles.css`)]);
  return [
    { path: '/', contentType: 'text/html; charset=utf-8', body: readFileSync(`${SRC}index.html`) },
    {
      path: '/console/app.js',
      contentType: 'text/javascript; charset=utf-8',
      body: Buffer.from(js.contents),
    },
    { path: '/console/app.css', contentType: 'text/css; charset=utf-8', body: css },
  ];
}

/**
 * Builds the console in memory with esbuild: one minified ES module (`/console/app.js`, uPlot bundled in), one
 * stylesheet (`/console/app.css`: ours and uPlot's) and the page (`/`). Takes about 100 ms; the local server
 * builds at start. Throws esbuild's error when the source does not compile.
 */
export async function buildConsole(): Promise<ConsoleAsset[]> {
  return assets(await build(OPTIONS));
}

/** The same build, synchronous: for the CDK app, whose synth is synchronous (infra/aws/constructs/console.ts). */
export function buildConsoleSync(): ConsoleAsset[] {
  return assets(buildSync(OPTIONS));
}

/** The shipped JavaScript's size, gzipped, in kilobytes (the budget is 200). */
export function javascriptKbGzip(assets: readonly ConsoleAsset[]): number {
  const js = assets.filter((a) => a.contentType.startsWith('text/javascript'));
  return js.reduce((n, a) => n + gzipSync(a.body, { level: 9 }).length, 0) / 1024;
}
