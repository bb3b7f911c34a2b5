/**
 * esbuild settings of every Lambda bundle: the CDK NodejsFunction and the cold-start bench use these same
 * options, so the bench measures what deploys. The AWS SDK v3 is bundled (not taken from the runtime): a
 * pinned, tree-shaken copy loads faster than the runtime's full SDK and cannot drift under us.
 */
export const LAMBDA_NODE_TARGET = 'node24';

export const BUNDLE = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: LAMBDA_NODE_TARGET,
  /** Nothing external: the embedded default's native modules must never be reachable from a handler. */
  externalModules: [] as string[],
  /** Local-only modules: if one shows up in a Lambda bundle the build fails (see test/bench/coldstart.ts). */
  forbidden: ['better-sqlite3', 'infra/local/'],
} as const;
