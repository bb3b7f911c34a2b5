/**
 * Loads a handler module of functions/ by its name in the route, schedule and workflow tables
 * (`telemetry/ingest`), on first use. The template-literal import is what lets the local server's build
 * (infra/local/build.ts) find every handler: esbuild turns `../../functions/${name}.ts` into a table of
 * `functions/**\/*.ts`, each initialised only when first asked for, as here from the sources.
 */
export function importHandler<H>(name: string): Promise<{ handler: H }> {
  return import(`../../functions/${name}.ts`) as Promise<{ handler: H }>;
}
