import { z } from 'zod';
import { secretKey } from '../adapters/webhooks/signing.js';
import type { DataSourceConfig } from '../ports/metric-source.js';
import { InboundWebhookTool } from '../schemas/workflows.js';

/**
 * Environment variable names of the AWS deployment: the CDK stack sets them from these constants, the AWS
 * composition root (shared/runtime/aws.ts) reads them. Telemetry functions read the rollups, Timestream and fallback-queue ones.
 */
export const AWS_ENV = {
  dataTable: 'ACCORD_DATA_TABLE',
  auditTable: 'ACCORD_AUDIT_TABLE',
  vendorKeysTable: 'ACCORD_VENDOR_KEYS_TABLE',
  /** Telemetry (issue 5): the rollups table. */
  rollupsTable: 'ACCORD_ROLLUPS_TABLE',
  /** Telemetry: Timestream raw store; absent when the stack is deployed with context `timestream: false`. */
  timestreamDatabase: 'ACCORD_TIMESTREAM_DATABASE',
  timestreamTable: 'ACCORD_TIMESTREAM_TABLE',
  /** Telemetry: SQS queue URL for raw samples the raw store refused or could not take. */
  rawFallbackQueueUrl: 'ACCORD_RAW_FALLBACK_QUEUE_URL',
  /** Telemetry: SQS queue URL for samples the raw store refused for good (kept for inspection, never replayed). */
  rawRefusedQueueUrl: 'ACCORD_RAW_REFUSED_QUEUE_URL',
  /** People: the Cognito user pool whose ID tokens the people authorizer accepts, and its app client (`aud`). */
  userPoolId: 'ACCORD_USER_POOL_ID',
  userPoolClientId: 'ACCORD_USER_POOL_CLIENT_ID',
  /** Vendor management: the REST API whose stage's usage plans meter vendors (only the functions that enrol them). */
  restApiId: 'ACCORD_REST_API_ID',
  /** Reports: the S3 Object Lock bucket of the archive. */
  archiveBucket: 'ACCORD_ARCHIVE_BUCKET',
  /** Workflows (issue 11): tasks, notification queue and execution index. */
  workflowsTable: 'ACCORD_WORKFLOWS_TABLE',
  /** Workflows: the ARN of this deployment's state machines less the workflow name (`…:stateMachine:Accord-eu-west-1-`). */
  stateMachineArnPrefix: 'ACCORD_STATE_MACHINE_ARN_PREFIX',
  /** Notifications: the SES configuration set whose event destination records bounces and complaints. */
  sesConfigurationSet: 'ACCORD_SES_CONFIGURATION_SET',
} as const;

/** Usage plans of vendor tiers are named `<prefix><tier>` on the API's stage. */
export const USAGE_PLAN_PREFIX = 'accord-vendor-';
/** The API's one stage. */
export const API_STAGE = 'live';

const name = z.string().min(1).max(1024).optional();

/** Settings read once at cold start; a missing or bad setting stops the process with a clear message. */
const ConfigSchema = z.object({
  /** When set, this deployment only holds data resident in this region. */
  ACCORD_RESIDENCY_REGION: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/)
    .optional(),
  ACCORD_VERSION: z.string().default('0.1.0'),
  /** Workflows: e-mail over SMTP (smtp://user:pass@host:port) on the embedded default; `.eml` files when unset. */
  ACCORD_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /**
   * Inbound webhooks from one ticketing tool that reaches every business unit: its signing secrets (whsec_…),
   * comma-separated to rotate keys. Recorded as the tool `webhook`. Prefer ACCORD_INBOUND_WEBHOOK_TOOLS, which scopes
   * each tool.
   */
  ACCORD_INBOUND_WEBHOOK_SECRETS: z.string().min(1).max(2000).optional(),
  /**
   * Inbound webhooks, one entry per ticketing tool with its own secrets and scope, a JSON array of
   * `InboundWebhookTool`: `[{"tool": "jira-payments", "secrets": ["whsec_…"], "businessUnits": ["payments"]}]`.
   */
  ACCORD_INBOUND_WEBHOOK_TOOLS: z.string().min(2).max(20_000).optional(),
  /** Where people reach this API: the links in notifications. */
  ACCORD_PUBLIC_URL: z.url().default('http://localhost:3000'),
  /**
   * Pull data sources (docs/backfill.md), a JSON array:
   * `[{"name": "prometheus-main", "type": "Prometheus", "url": "http://prometheus:9090"}]`, optional `bearerToken`,
   * `stepSeconds` (60), `lookbackMinutes` (15). `name` is the OpenSLO DataSource an SLI's `metricSourceRef` names.
   */
  ACCORD_DATA_SOURCES: z.string().min(2).max(20_000).optional(),
  /** Embedded default: the raw sample store in a worker thread (`worker`) or on the main thread (`inline`). */
  ACCORD_TELEMETRY_STORE: z.enum(['worker', 'inline']).optional(),
  [AWS_ENV.dataTable]: name,
  [AWS_ENV.auditTable]: name,
  [AWS_ENV.vendorKeysTable]: name,
  [AWS_ENV.rollupsTable]: name,
  [AWS_ENV.timestreamDatabase]: name,
  [AWS_ENV.timestreamTable]: name,
  [AWS_ENV.rawFallbackQueueUrl]: z.url().optional(),
  [AWS_ENV.rawRefusedQueueUrl]: z.url().optional(),
  [AWS_ENV.userPoolId]: z
    .string()
    .regex(/^[\w-]+_[0-9a-zA-Z]+$/)
    .optional(),
  [AWS_ENV.userPoolClientId]: z
    .string()
    .regex(/^[\w+]+$/)
    .optional(),
  [AWS_ENV.restApiId]: z
    .string()
    .regex(/^[a-z0-9]{1,32}$/)
    .optional(),
  [AWS_ENV.archiveBucket]: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')
    .optional(),
  [AWS_ENV.workflowsTable]: name,
  [AWS_ENV.stateMachineArnPrefix]: z
    .string()
    .regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]*$/)
    .optional(),
  [AWS_ENV.sesConfigurationSet]: name,
});

export type Config = z.infer<typeof ConfigSchema>;

export function readConfig(env: Record<string, string | undefined> = process.env): Config {
  const r = ConfigSchema.safeParse(env);
  if (!r.success) {
    throw new Error(
      `bad configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return r.data;
}

const DataSources = z
  .array(
    z.strictObject({
      name: z
        .string()
        .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label, as OpenSLO names are'),
      type: z.literal('Prometheus'),
      url: z.url({ protocol: /^https?$/ }).refine(
        (u) => {
          try {
            const parsed = new URL(u);
            return parsed.username === '' && parsed.password === '';
          } catch {
            return true; // not a URL: z.url has said so
          }
        },
        // The URL appears in errors and logs: a password in it would too (and fetch refuses such URLs).
        { message: 'must not carry a user or password: give the token as bearerToken', abort: true },
      ),
      bearerToken: z.string().min(1).max(4096).optional(),
      /**
       * On AWS: the Secrets Manager secret whose string is the bearer token (read at cold start by the functions
       * that pull, which alone may read it; docs/aws.md). Tokens never travel in plain environment variables there.
       */
      bearerTokenSecretArn: z
        .string()
        .regex(
          /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/,
          'must be a secret ARN',
        )
        .optional(),
      stepSeconds: z.number().int().min(1).max(3600).default(60),
      lookbackMinutes: z.number().int().min(5).max(1440).default(15),
    }),
  )
  .max(50)
  .refine((a) => new Set(a.map((d) => d.name)).size === a.length, 'names must be unique')
  .refine(
    (a) => a.every((d) => !(d.bearerToken && d.bearerTokenSecretArn)),
    'a data source takes bearerToken or bearerTokenSecretArn, not both',
  );

/** The shape of ACCORD_DATA_SOURCES (the CDK app validates its `dataSources` context with it too). */
export const DataSourcesSchema = DataSources;

/**
 * The configured pull data sources (`ACCORD_DATA_SOURCES`); none when unset.
 * @throws Error naming the bad entry when the setting is not valid JSON of that shape (fails the cold start)
 */
export function dataSourcesOf(config: Config): DataSourceConfig[] {
  if (!config.ACCORD_DATA_SOURCES) return [];
  let json: unknown;
  try {
    json = JSON.parse(config.ACCORD_DATA_SOURCES);
  } catch (e) {
    throw new Error(`bad configuration: ACCORD_DATA_SOURCES is not JSON (${(e as Error).message})`);
  }
  const r = DataSources.safeParse(json);
  if (!r.success)
    throw new Error(
      `bad configuration: ACCORD_DATA_SOURCES ${r.error.issues.map((i) => `[${i.path.join('.')}]: ${i.message}`).join('; ')}`,
    );
  return r.data;
}

/**
 * The ticketing tools that may call `POST /v1/webhooks/tasks`: each entry of `ACCORD_INBOUND_WEBHOOK_TOOLS`, and the
 * secrets of `ACCORD_INBOUND_WEBHOOK_SECRETS` as one tool named `webhook` that reaches every business unit. None when
 * neither is set (inbound webhooks are then refused).
 * @throws Error naming the variable and the entry when the setting is not JSON of that shape, a secret is shorter than
 *   16 bytes, a tool is named twice or a secret belongs to two tools (fails the start, never a request)
 */
export function inboundTools(config: Config): InboundWebhookTool[] {
  const tools: InboundWebhookTool[] = [];
  const bad = (what: string) => new Error(`bad configuration: ${what}`);
  if (config.ACCORD_INBOUND_WEBHOOK_TOOLS) {
    let json: unknown;
    try {
      json = JSON.parse(config.ACCORD_INBOUND_WEBHOOK_TOOLS);
    } catch (e) {
      throw bad(`ACCORD_INBOUND_WEBHOOK_TOOLS is not JSON (${(e as Error).message})`);
    }
    const r = z.array(InboundWebhookTool).max(50).safeParse(json);
    if (!r.success)
      throw bad(
        `ACCORD_INBOUND_WEBHOOK_TOOLS ${r.error.issues.map((i) => `[${i.path.join('.')}]: ${i.message}`).join('; ')}`,
      );
    tools.push(...r.data);
  }
  const legacy = (config.ACCORD_INBOUND_WEBHOOK_SECRETS ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  if (legacy.length) tools.push({ tool: 'webhook', secrets: legacy, businessUnits: ['*'] });
  const names = new Set<string>();
  const owners = new Map<string, string>();
  for (const t of tools) {
    if (names.has(t.tool)) throw bad(`the inbound webhook tool ${t.tool} is configured twice`);
    names.add(t.tool);
    for (const s of t.secrets ?? []) {
      try {
        secretKey(s);
      } catch (e) {
        throw bad(`a secret of the inbound webhook tool ${t.tool}: ${(e as Error).message}`);
      }
      const other = owners.get(s);
      if (other !== undefined)
        throw bad(
          `one secret belongs to the inbound webhook tools ${other} and ${t.tool}: whose message is it?`,
        );
      owners.set(s, t.tool);
    }
  }
  return tools;
}
