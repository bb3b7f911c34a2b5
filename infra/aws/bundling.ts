import { join } from 'node:path';

/**
 * esbuild settings of every Lambda bundle: the CDK NodejsFunction and the cold-start bench (test/bench/coldstart.ts)
 * use these same options, so the bench measures what deploys. The AWS SDK v3 is bundled (not taken from the
 * runtime): a pinned, tree-shaken copy cannot drift under us and loads from one file.
 */
export const LAMBDA_NODE_TARGET = 'node24';

const here = import.meta.dirname;

export const BUNDLE = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: LAMBDA_NODE_TARGET,
  /** ESM builds first: the SDK's dist-es tree-shakes, its dist-cjs does not (about 150 KB per bundle). */
  mainFields: ['module', 'main'],
  /** Nothing external: the embedded default's native modules must never be reachable from a handler. */
  externalModules: [] as string[],
  /** Modules replaced in Lambda bundles only (see each file for why). */
  alias: {
    zod: join(here, 'bundle', 'zod.ts'),
    '@aws-sdk/credential-provider-node': join(here, 'bundle', 'credentials.ts'),
  } as Record<string, string>,
  /** The compile-time switch that keeps telemetry's SDK clients out of functions that serve no telemetry. */
  telemetryFlag: '__ACCORD_TELEMETRY__',
  objectivesFlag: '__ACCORD_OBJECTIVES__',
  /** Local-only code: if any shows up in a Lambda bundle the synth test and the bench fail. */
  forbidden: /better-sqlite3|infra\/local\//,
} as const;

/** Whether a handler module serves telemetry (its routes, its replay consumer): it then bundles the clients. */
export function servesTelemetry(handler: string, actions: readonly string[] = []): boolean {
  return handler.startsWith('telemetry/') || actions.some((a) => a.startsWith('telemetry.'));
}

/** Whether a handler module serves the objectives engine (its routes, its scheduled evaluation). */
export function servesObjectives(handler: string, actions: readonly string[] = []): boolean {
  return (
    handler.startsWith('objectives/') ||
    actions.some((a) => a.startsWith('objective.') || a.startsWith('violation.'))
  );
}

export interface BundleFeatures {
  telemetry: boolean;
  objectives: boolean;
}

/** The features a handler needs, from its module path and the actions of its routes. */
export function featuresOf(handler: string, actions: readonly string[] = []): BundleFeatures {
  return { telemetry: servesTelemetry(handler, actions), objectives: servesObjectives(handler, actions) };
}

/** esbuild `define` for one function: the composition root compiles out what the function does not serve. */
export function bundleDefine(f: BundleFeatures): Record<string, string> {
  return { [BUNDLE.telemetryFlag]: String(f.telemetry), [BUNDLE.objectivesFlag]: String(f.objectives) };
}
