import { join } from 'node:path';

/**
 * esbuild settings of every Lambda bundle: the CDK NodejsFunction and the cold-start bench (test/bench/coldstart.ts)
 * use these same options, so the bench measures what deploys.
 *
 * The AWS SDK v3 (`@aws-sdk/*` and its `@smithy/*` layer) is NOT bundled: functions use the copy the Lambda
 * Node.js runtime ships on its NODE_PATH, as CDK's NodejsFunction does by default. Bundled, the SDK was about
 * 240 KB of every function (497 KB for a plain API handler against a 300 KB target) and parsing it was about
 * 12 ms of each cold start. The price: the SDK version is AWS's, patched by AWS, not the one package-lock.json
 * pins (which still pins what `npm test` and the embedded default run). Tests that run built bundles point
 * NODE_PATH at node_modules, which is what the runtime's NODE_PATH does on Lambda.
 */
export const LAMBDA_NODE_TARGET = 'node24';

const here = import.meta.dirname;

export const BUNDLE = {
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: LAMBDA_NODE_TARGET,
  /** ESM builds first: they tree-shake (zod, Powertools). */
  mainFields: ['module', 'main'],
  /** The runtime's SDK (see above). The embedded default's native modules must never be reachable: see forbidden. */
  externalModules: ['@aws-sdk/*', '@smithy/*'] as string[],
  /** Modules replaced in Lambda bundles only (see each file for why). */
  alias: {
    zod: join(here, 'bundle', 'zod.ts'),
    // pdfkit's ESM build finds its data through import.meta.url, which a CJS bundle does not have (it throws
    // "Invalid URL" when the module loads); its CJS build uses __filename. Reports embed TrueType fonts given by
    // the caller, so pdfkit's own font files (loaded by a runtime require) are never needed in a bundle.
    pdfkit: join(here, '..', '..', 'node_modules', 'pdfkit', 'js', 'pdfkit.js'),
  } as Record<string, string>,
  /** The compile-time switch that keeps telemetry's SDK clients out of functions that serve no telemetry. */
  telemetryFlag: '__ACCORD_TELEMETRY__',
  objectivesFlag: '__ACCORD_OBJECTIVES__',
  vendorsFlag: '__ACCORD_VENDORS__',
  /** Reports and the archive: pdfkit, the fonts and the S3 client stay out of every other function. */
  reportsFlag: '__ACCORD_REPORTS__',
  /** OpenSLO, Prometheus rules and /metrics (the yaml library, prom-client's registry of objective gauges). */
  ecosystemFlag: '__ACCORD_ECOSYSTEM__',
  /** E-mail composition (nodemailer's MailComposer, about 136 KB minified): only the notification dispatcher. */
  mailFlag: '__ACCORD_MAIL__',
  /** The workflow use cases and their Step Functions client (about 70 KB): everywhere but telemetry's functions. */
  workflowsFlag: '__ACCORD_WORKFLOWS__',
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

/**
 * Whether a handler module needs the vendor use cases: the vendor authorizer, vendor management, and every route
 * that ingests telemetry (it re-checks the vendor's key and scope).
 */
export function servesVendors(handler: string, actions: readonly string[] = []): boolean {
  return (
    handler.startsWith('authorizers/') ||
    handler.startsWith('vendors/') ||
    actions.some((a) => a === 'telemetry.ingest' || a.startsWith('vendor.'))
  );
}

/** Whether a handler module serves reports or the archive (its routes, its scheduled publication). */
export function servesReports(handler: string, actions: readonly string[] = []): boolean {
  return (
    handler.startsWith('reports/') ||
    handler.startsWith('archive/') ||
    actions.some((a) => a.startsWith('report.') || a.startsWith('archive.'))
  );
}

export interface BundleFeatures {
  telemetry: boolean;
  objectives: boolean;
  /** Absent: as servesVendors says of the handler alone. */
  vendors?: boolean;
  /** Absent means false. */
  reports?: boolean;
  /** Absent means false. */
  ecosystem?: boolean;
  /** Absent means false: whether the function composes e-mails (see servesMail). */
  mail?: boolean;
  /** Absent means true: whether the function composes the workflows (see servesWorkflows). */
  workflows?: boolean;
}

/** The features a handler needs, from its module path and the actions of its routes. */
export function featuresOf(handler: string, actions: readonly string[] = []): BundleFeatures {
  return {
    telemetry: servesTelemetry(handler, actions),
    // Reports are built from the objectives engine's figures.
    objectives: servesObjectives(handler, actions) || servesReports(handler, actions),
    vendors: servesVendors(handler, actions),
    reports: servesReports(handler, actions),
    ecosystem: handler.startsWith('ecosystem/'),
    mail: servesMail(handler),
    workflows: servesWorkflows(handler),
  };
}

/**
 * Whether a handler module composes the workflows (approval, remediation, change requests, tasks, notifications).
 * Telemetry's functions (ingestion, its reads, replay, scheduled pulls) never start, signal or notify one: a
 * violation comes from the objectives engine's evaluation, another function.
 */
export function servesWorkflows(handler: string): boolean {
  return !handler.startsWith('telemetry/');
}

/** Whether a handler module composes e-mails: the notification dispatcher alone sends them (through SES). */
export function servesMail(handler: string): boolean {
  return handler === 'workflows/dispatch-notifications';
}

/** esbuild `define` for one function: the composition root compiles out what the function does not serve. */
export function bundleDefine(f: BundleFeatures): Record<string, string> {
  return {
    [BUNDLE.telemetryFlag]: String(f.telemetry),
    [BUNDLE.objectivesFlag]: String(f.objectives),
    [BUNDLE.vendorsFlag]: String(f.vendors ?? false),
    [BUNDLE.reportsFlag]: String(f.reports ?? false),
    [BUNDLE.ecosystemFlag]: String(f.ecosystem ?? false),
    [BUNDLE.mailFlag]: String(f.mail ?? false),
    [BUNDLE.workflowsFlag]: String(f.workflows ?? true),
  };
}

/**
 * NODE_PATH for running a built bundle outside Lambda: the project's node_modules stands in for the runtime's
 * /var/runtime/node_modules, where the external SDK comes from.
 */
export const RUNTIME_NODE_PATH = join(here, '..', '..', 'node_modules');
