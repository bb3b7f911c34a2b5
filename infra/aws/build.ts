import { App, type AppProps, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { z } from 'zod';
import { ROUTES, type RouteSpec } from '../../shared/http/routes.js';
import { DataSourcesSchema } from '../../shared/runtime/config.js';
import { SCHEDULES } from '../../shared/schedules.js';
import { InboundWebhookTool } from '../../shared/schemas/workflows.js';
import { AccordStack, type Schedule } from './stack.js';
import { loadVendorTiers } from './tiers.js';

const Region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be a region name such as eu-west-1');

/** CDK context of the app (cdk.json, or `-c key=value`), validated once. */
export const AppContext = z.object({
  /** One stack per data-residency region. */
  regions: z.preprocess(
    (v) => (typeof v === 'string' ? (v.trim().startsWith('[') ? JSON.parse(v) : v.split(',')) : v),
    z.array(Region).min(1),
  ),
  /** Deploy the Timestream raw store: off for accounts created after 2025-06-20 (Timestream is closed to them). */
  timestream: z.preprocess((v) => (typeof v === 'string' ? v === 'true' : v), z.boolean()).default(false),
  /**
   * Pull data sources (docs/aws.md, "Pull data sources"): public HTTPS endpoints, a token only by Secrets Manager
   * ARN (`bearerTokenSecretArn`), never in the template. JSON in `-c dataSources=…`.
   */
  dataSources: z
    .preprocess((v) => (typeof v === 'string' ? JSON.parse(v) : v), DataSourcesSchema)
    .refine((a) => a.every((d) => !d.bearerToken), 'bearerToken is refused here: give bearerTokenSecretArn')
    .refine((a) => a.every((d) => d.url.startsWith('https://')), 'each url must be https:// on AWS')
    .default([]),
  /**
   * Ticketing tools that may call `POST /v1/webhooks/tasks` (docs/workflows.md, "Ticketing tools"): each with its
   * scope and its signing secrets by Secrets Manager ARN (`secretArns`), never in the template. JSON in
   * `-c inboundWebhookTools=…`.
   */
  inboundWebhookTools: z
    .preprocess((v) => (typeof v === 'string' ? JSON.parse(v) : v), z.array(InboundWebhookTool).max(50))
    .refine((a) => a.every((t) => !t.secrets), 'secrets are refused here: give secretArns')
    .refine((a) => new Set(a.map((t) => t.tool)).size === a.length, 'each tool is named once')
    .default([]),
  /** The account to deploy to; absent = the CLI's current credentials decide (synth needs none). */
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),
});
export type AppContext = z.infer<typeof AppContext>;

export interface BuildOptions {
  context?: Partial<Record<keyof AppContext, unknown>>;
  appProps?: AppProps;
  routes?: readonly RouteSpec[];
  schedules?: readonly Schedule[];
  /**
   * Run the cdk-nag packs on synth (default true). Only tests that read the template and never deploy it turn
   * them off; test/infra/stack.test.ts synthesizes with them on.
   */
  checks?: boolean;
}

export function stackName(region: string): string {
  return `Accord-${region}`;
}

/**
 * The CDK app: one AccordStack per residency region, cdk-nag (AwsSolutions and Serverless packs) on every
 * stack. Generic over the route table and the schedule table: new routes and jobs deploy with no change here.
 */
export function buildApp(options: BuildOptions = {}): {
  app: App;
  stacks: AccordStack[];
  context: AppContext;
} {
  const app = new App(options.appProps);
  const raw = {
    regions: options.context?.regions ?? app.node.tryGetContext('regions'),
    timestream: options.context?.timestream ?? app.node.tryGetContext('timestream'),
    account: options.context?.account ?? app.node.tryGetContext('account'),
    dataSources: options.context?.dataSources ?? app.node.tryGetContext('dataSources'),
    inboundWebhookTools:
      options.context?.inboundWebhookTools ?? app.node.tryGetContext('inboundWebhookTools'),
  };
  const parsed = AppContext.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `bad CDK context: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const context = parsed.data;
  const tiers = loadVendorTiers();
  const stacks = context.regions.map(
    (region) =>
      new AccordStack(app, stackName(region), {
        env: { region, ...(context.account ? { account: context.account } : {}) },
        description: `Accord for data resident in ${region}`,
        residencyRegion: region,
        timestream: context.timestream,
        routes: options.routes ?? ROUTES,
        schedules: options.schedules ?? SCHEDULES,
        tiers,
        version: process.env.npm_package_version ?? '0.1.0',
        dataSources: context.dataSources,
        inboundWebhookTools: context.inboundWebhookTools,
      }),
  );
  for (const s of stacks) Tags.of(s).add('app', 'accord');
  if (options.checks !== false)
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stacks, context };
}
