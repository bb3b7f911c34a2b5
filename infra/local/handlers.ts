/**
 * True in the local server's build (infra/local/build.ts, an esbuild `define`); undefined when running from the
 * sources (tsx, vitest).
 */
declare const __ACCORD_LOCAL_BUILD__: boolean | undefined;

/**
 * Loads a handler module of functions/ by its name in the route, schedule and workflow tables
 * (`telemetry/ingest`), on first use. In the build, the template-literal import is what lets esbuild find every
 * handler: it becomes a table of `functions/**\/*.ts`, each initialised only when first asked for. From the sources
 * the module's URL is computed instead: vitest (vite) rewrites a template-literal import into a glob one directory
 * deep, which would not find `functions/objectives/evaluate-scheduled.ts`.
 */
export function importHandler<H>(name: string): Promise<{ handler: H }> {
  if (typeof __ACCORD_LOCAL_BUILD__ !== 'undefined')
    return import(`../../functions/${name}.ts`) as Promise<{ handler: H }>;
  return import(new URL(`../../functions/${name}.ts`, import.meta.url).href) as Promise<{ handler: H }>;
}
