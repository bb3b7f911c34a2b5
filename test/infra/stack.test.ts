import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BINARY_MEDIA_TYPES,
  STAGE_THROTTLE,
  vendorRequestStatement,
  WAF_RATE_LIMIT,
  WAF_TELEMETRY_RATE_LIMIT,
} from '../../infra/aws/constructs/api.js';
import { AUDIT_STREAM } from '../../infra/aws/constructs/audit.js';
import { handlerExists } from '../../infra/aws/constructs/function.js';
import { PERSON_ROLES } from '../../infra/aws/constructs/identity.js';
import { loadVendorTiers } from '../../infra/aws/tiers.js';
import { DATA_TABLE, TABLES } from '../../shared/adapters/dynamodb/tables.js';
import { GATEWAY_RESPONSES, SAFE_CONTEXT_VARIABLES } from '../../shared/http/edge-errors.js';
import { ROUTES } from '../../shared/http/routes.js';
import { AWS_ENV } from '../../shared/runtime/config.js';
import { SCHEDULES } from '../../shared/schedules.js';
import { BACKFILL_WORKFLOW, WORKFLOWS } from '../../shared/workflows.js';
import { deploymentTemplate, synthesized } from './support/templates.js';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [k: string]: unknown }>;

const cdkJson = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: { regions: string[] } };

let withTs: Template;
let withoutTs: Template;
let regionsBuilt: string[];
let acknowledgements: { path: string; id: string; reason: string }[];

// The app is synthesized once for the infra project, with cdk-nag on (test/infra/support/global-setup.ts): with
// the Timestream switch on in one region, and as cdk.json has it (every residency region, Timestream off).
beforeAll(async () => {
  const on = await synthesized('timestream');
  withTs = deploymentTemplate(on.stacks[0]!);
  const off = await synthesized('cdkJson');
  regionsBuilt = off.stacks.map((s) => s.region);
  withoutTs = deploymentTemplate(off.stacks[0]!);
  acknowledgements = on.acknowledgements;
});

const resources = (t: Template, type: string) =>
  Object.entries(t.findResources(type) as Resources)
    // CDK's BucketDeployment function (the console's deploy-time copy, test/infra/console.test.ts) is not Accord's.
    .filter(([id]) => !(type === 'AWS::Lambda::Function' && id.startsWith('CustomCDKBucketDeployment')))
    .map(([, r]) => r);
const deployedRoutes = ROUTES.filter((r) => handlerExists(r.handler));

describe('the CDK app', () => {
  it('builds one stack per residency region named in cdk.json, each refusing other residencies', () => {
    expect(regionsBuilt).toEqual(cdkJson.context.regions);
    for (const fn of resources(withTs, 'AWS::Lambda::Function')) {
      const env = (fn.Properties!.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.ACCORD_RESIDENCY_REGION).toBe('eu-west-1');
    }
  });

  it('passes the AwsSolutions and Serverless cdk-nag packs, every acknowledgement giving a specific reason', () => {
    expect(acknowledgements.length).toBeGreaterThan(10);
    for (const a of acknowledgements) {
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(60);
    }
    const ids = new Set(acknowledgements.map((a) => a.id));
    expect([...ids].filter((id) => id.includes('Action::'))).toEqual([]);
  });
});

describe('API Gateway', () => {
  it('logs access as JSON, traces, throttles the stage and passes telemetry formats as binary', () => {
    withTs.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId"') },
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          ThrottlingRateLimit: STAGE_THROTTLE.rateLimit,
          ThrottlingBurstLimit: STAGE_THROTTLE.burstLimit,
        }),
      ]),
    });
    withTs.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: BINARY_MEDIA_TYPES,
      ApiKeySourceType: 'AUTHORIZER',
    });
  });

  it('answers every gateway response type in the API error shape, from fixed text and the request id only', () => {
    const responses = resources(withTs, 'AWS::ApiGateway::GatewayResponse');
    expect(responses.map((r) => r.Properties!.ResponseType).sort()).toEqual(
      Object.keys(GATEWAY_RESPONSES).sort(),
    );
    for (const r of responses) {
      const type = r.Properties!.ResponseType as string;
      const template = (r.Properties!.ResponseTemplates as Record<string, string>)['application/json']!;
      // Only variables whose values are API Gateway's own identifiers: nothing a client sends reaches the body.
      const variables = template.match(/\$[A-Za-z][\w.]*/g) ?? [];
      expect(
        variables.filter((v) => !(SAFE_CONTEXT_VARIABLES as readonly string[]).includes(v)),
        type,
      ).toEqual([]);
      // Nothing another template syntax could read: no quote but JSON's, no escape, no directive.
      expect(template, type).not.toMatch(/['\\#]/);
      expect(r.Properties!.StatusCode, type).toBe(
        GATEWAY_RESPONSES[type]!.status === undefined ? undefined : String(GATEWAY_RESPONSES[type]!.status),
      );
    }
    const route = responses.find((r) => r.Properties!.ResponseType === 'MISSING_AUTHENTICATION_TOKEN')!;
    expect(route.Properties!.StatusCode).toBe('404');
    const throttled = responses.find((r) => r.Properties!.ResponseType === 'THROTTLED')!;
    expect(throttled.Properties!.ResponseParameters).toEqual({ 'gatewayresponse.header.Retry-After': "'1'" });
    withTs.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { Format: Match.stringLikeRegexp('validationErrorString') },
    });
  });

  it('puts a WAF web ACL with a rate-based rule in front of the stage, leaving vendors to their usage plans', () => {
    // Every vendor route of the route table, by method and path: the telemetry rule's scope, the people rule's exemption.
    const vendorRoutes = ROUTES.filter((r) => r.auth === 'vendor');
    expect(vendorRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /v1/telemetry',
        'POST /v1/metrics',
        'POST /api/v2/series',
        'GET /api/v1/validate',
      ]),
    );
    const vendorMatch = {
      OrStatement: {
        Statements: vendorRoutes.map((r) => ({
          AndStatement: {
            Statements: [
              {
                ByteMatchStatement: Match.objectLike({
                  SearchString: r.method,
                  FieldToMatch: { Method: {} },
                  PositionalConstraint: 'EXACTLY',
                }),
              },
              {
                ByteMatchStatement: Match.objectLike({
                  SearchString: r.path,
                  FieldToMatch: { UriPath: {} },
                  PositionalConstraint: 'ENDS_WITH',
                }),
              },
            ],
          },
        })),
      },
    };
    withTs.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'rate-per-ip',
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: WAF_RATE_LIMIT,
              AggregateKeyType: 'IP',
              // Exempt: exactly the vendor routes (method and path end), not people's /v1/telemetry/... routes.
              ScopeDownStatement: { NotStatement: { Statement: vendorMatch } },
            }),
          },
        }),
        Match.objectLike({
          Name: 'rate-per-ip-telemetry',
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: WAF_TELEMETRY_RATE_LIMIT,
              AggregateKeyType: 'IP',
              ScopeDownStatement: vendorMatch,
            }),
          },
        }),
      ]),
    });
    // No people's route can be caught by the vendor match: none shares a vendor route's method and path end.
    for (const people of ROUTES.filter((r) => r.auth !== 'vendor'))
      for (const v of vendorRoutes)
        expect(people.method === v.method && people.path.endsWith(v.path), `${people.id} vs ${v.id}`).toBe(
          false,
        );
    // The telemetry backstop sits above every tier's 5-minute allowance, so the usage plan answers 429 first.
    for (const t of Object.values(loadVendorTiers().tiers))
      expect(WAF_TELEMETRY_RATE_LIMIT).toBeGreaterThan(t.rateLimit * 300);
    withTs.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('derives the WAF vendor match from the route table: a new vendor route is covered, a parameterised one refused', () => {
    const extra = { ...ROUTES.find((r) => r.auth === 'vendor')!, id: 'x.new', path: '/v1/new-intake' };
    const st = vendorRequestStatement([...ROUTES, extra]);
    const paths = st.orStatement
      ? (
          st.orStatement as {
            statements: {
              andStatement: { statements: { byteMatchStatement: { searchString: string } }[] };
            }[];
          }
        ).statements.map((s) => s.andStatement.statements[1]!.byteMatchStatement.searchString)
      : [];
    expect(paths).toContain('/v1/new-intake');
    expect(paths).toHaveLength(ROUTES.filter((r) => r.auth === 'vendor').length + 1);
    expect(() => vendorRequestStatement([{ ...extra, path: '/v1/intake/{id}' }])).toThrow(/literal path/);
    expect(() => vendorRequestStatement(ROUTES.filter((r) => r.auth !== 'vendor'))).toThrow(
      /no vendor route/,
    );
  });

  it('has one method per route of the route table, authorised as the table says', () => {
    const methods = resources(withTs, 'AWS::ApiGateway::Method').filter(
      (m) => m.Properties!.HttpMethod !== 'OPTIONS',
    );
    expect(methods).toHaveLength(deployedRoutes.length);
    const byName = new Map(methods.map((m) => [m.Properties!.OperationName as string, m.Properties!]));
    // The API-key check below runs only for vendor routes: there must be some.
    expect(deployedRoutes.filter((r) => r.auth === 'vendor').length).toBeGreaterThan(0);
    for (const r of deployedRoutes) {
      const m = byName.get(r.id);
      expect(m, r.id).toBeDefined();
      expect(m!.HttpMethod).toBe(r.method);
      const expected = { user: 'CUSTOM', vendor: 'CUSTOM', none: 'NONE' }[r.auth];
      expect(m!.AuthorizationType, r.id).toBe(expected);
      if (r.auth === 'vendor') expect(m!.ApiKeyRequired, r.id).toBe(true);
    }
  });

  it('validates JSON bodies against models generated from the zod schemas', () => {
    const jsonBodies = deployedRoutes.filter((r) => r.body && !r.binary);
    expect(resources(withTs, 'AWS::ApiGateway::Model')).toHaveLength(jsonBodies.length);
    withTs.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({
        $schema: 'http://json-schema.org/draft-04/schema#',
        properties: Match.objectLike({
          serviceId: { type: 'string', pattern: Match.stringLikeRegexp('svc_') },
        }),
        additionalProperties: false,
      }),
    });
    withTs.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
  });

  it('has a people Lambda authorizer keyed on Authorization, given the pool and app client, and a vendor one that reads every header a vendor key may come in', () => {
    withTs.resourceCountIs('AWS::ApiGateway::Authorizer', 2);
    expect(resources(withTs, 'AWS::ApiGateway::Authorizer').map((a) => a.Properties!.Type)).not.toContain(
      'COGNITO_USER_POOLS',
    );
    withTs.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
    });
    // No identity source and no gateway cache for vendors: a cached REQUEST authorizer answers 401 unless every
    // identity source is present, and a vendor sends its key in one of several headers.
    withTs.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: Match.absent(),
    });
    withTs.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('people authorizer'),
      Environment: {
        Variables: Match.objectLike({
          ACCORD_USER_POOL_ID: Match.anyValue(),
          ACCORD_USER_POOL_CLIENT_ID: Match.anyValue(),
        }),
      },
    });
  });

  it("meters vendors by the authorizer's usage identifier and lets only vendor management enrol them in the plans", () => {
    withTs.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    for (const r of deployedRoutes.filter((x) => x.auth === 'vendor')) {
      const methods = resources(withTs, 'AWS::ApiGateway::Method').filter(
        (m) => m.Properties!.OperationName === r.id,
      );
      expect(methods, r.id).toHaveLength(1);
      expect(methods[0]!.Properties).toMatchObject({ ApiKeyRequired: true, AuthorizationType: 'CUSTOM' });
    }
    const policies = resources(withTs, 'AWS::IAM::Policy').map((p) =>
      JSON.stringify(p.Properties!.PolicyDocument),
    );
    // Creating a vendor enrols it (create an API key, attach it to a plan); revoking it withdraws it (delete).
    expect(policies.filter((p) => p.includes('apigateway:POST'))).toHaveLength(1);
    expect(policies.filter((p) => p.includes('apigateway:DELETE'))).toHaveLength(2);
    const managers = resources(withTs, 'AWS::Lambda::Function').filter(
      (f) =>
        (f.Properties!.Environment as { Variables: Record<string, unknown> }).Variables[AWS_ENV.restApiId],
    );
    expect(managers.map((f) => String(f.Properties!.Description)).sort()).toEqual([
      expect.stringContaining('vendors.create'),
      expect.stringContaining('vendors.revoke'),
    ]);
  });

  it('has one usage plan per vendor tier with its rate, burst and quota', () => {
    const tiers = loadVendorTiers().tiers;
    expect(resources(withTs, 'AWS::ApiGateway::UsagePlan')).toHaveLength(Object.keys(tiers).length);
    for (const [tier, t] of Object.entries(tiers)) {
      withTs.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
        UsagePlanName: `accord-vendor-${tier}`,
        Throttle: { RateLimit: t.rateLimit, BurstLimit: t.burstLimit },
        Quota: { Limit: t.quota.limit, Period: t.quota.period },
      });
    }
  });
});

describe('Cognito', () => {
  it('has a user pool whose groups are the roles and whose custom attributes carry the scope claims', () => {
    withTs.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Schema: Match.arrayWith(
        ['business_units', 'services', 'signoff'].map((n) => Match.objectLike({ Name: n, Mutable: true })),
      ),
    });
    const groups = resources(withTs, 'AWS::Cognito::UserPoolGroup').map((g) => g.Properties!.GroupName);
    expect(groups.sort()).toEqual([...PERSON_ROLES].sort());
  });

  it('gives the app client SRP sign-in and the code grant for the console alone: no implicit grant, no secret', () => {
    const clients = resources(withTs, 'AWS::Cognito::UserPoolClient');
    expect(clients).toHaveLength(1);
    const p = clients[0]!.Properties!;
    expect(p.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(p.AllowedOAuthFlowsUserPoolClient).toBe(true);
    expect(p.AllowedOAuthFlows).toEqual(['code']);
    expect(p.AllowedOAuthScopes).toEqual(['openid', 'email', 'profile']);
    expect(p.CallbackURLs).toHaveLength(1);
    expect(p.LogoutURLs).toEqual(p.CallbackURLs);
    expect(p.SupportedIdentityProviders).toEqual(['COGNITO']);
    expect(p.GenerateSecret).toBe(false);
  });
});

describe('Lambda', () => {
  it('runs every function on Node.js 22 or newer, arm64, actively traced, with a log group that expires', () => {
    const fns = resources(withTs, 'AWS::Lambda::Function');
    const handlers = new Set(deployedRoutes.map((r) => r.handler));
    const scheduled = SCHEDULES.filter((s) => handlerExists(s.handler));
    const replay = handlerExists('telemetry/replay') ? 1 : 0;
    const workflowTasks = new Set(
      [...WORKFLOWS, BACKFILL_WORKFLOW].flatMap((w) => Object.values(w.substitutions).map((x) => x.handler)),
    );
    // API handlers + the people and vendor authorizers + the audit consumer + the telemetry replay + scheduled jobs
    // + workflow tasks (the backfill run's two among them).
    expect(fns).toHaveLength(handlers.size + 2 + 1 + replay + scheduled.length + workflowTasks.size);
    for (const f of fns) {
      const p = f.Properties!;
      expect(Number(/^nodejs(\d+)\.x$/.exec(String(p.Runtime))?.[1])).toBeGreaterThanOrEqual(22);
      expect(p.Architectures).toEqual(['arm64']);
      expect(p.TracingConfig).toEqual({ Mode: 'Active' });
      expect(p.LoggingConfig).toMatchObject({ LogFormat: 'JSON', LogGroup: expect.anything() });
      expect(Object.keys((p.Environment as { Variables: object }).Variables)).toEqual(
        expect.arrayContaining([
          AWS_ENV.dataTable,
          AWS_ENV.auditTable,
          AWS_ENV.vendorKeysTable,
          AWS_ENV.rollupsTable,
        ]),
      );
    }
    for (const g of resources(withTs, 'AWS::Logs::LogGroup'))
      expect(g.Properties!.RetentionInDays).toBeGreaterThan(0);
  });

  it('grants named actions on named resources only: no wildcard action anywhere, no wildcard resource on data', () => {
    const allowedStar = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'timestream:DescribeEndpoints',
      'dynamodb:ListStreams',
      // Step Functions logging to CloudWatch Logs: the log-delivery APIs have no resource-level permissions.
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
      // Step Functions tracing: X-Ray sampling has no resource-level permissions either.
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      // A state machine invokes its task function and that function's versions (`<arn>:*`).
      'lambda:InvokeFunction',
      // Executions of one named state machine (`execution:<machine>:*`): names are minted per start.
      'states:DescribeExecution',
    ]);
    expect(resources(withTs, 'AWS::IAM::Policy').length).toBeGreaterThan(0);
    for (const p of resources(withTs, 'AWS::IAM::Policy')) {
      const doc = p.Properties!.PolicyDocument as {
        Statement: { Action: string | string[]; Resource: unknown }[];
      };
      for (const st of doc.Statement) {
        const actions = ([] as string[]).concat(st.Action);
        for (const a of actions) expect(a, JSON.stringify(st)).not.toMatch(/\*/);
        const res = ([] as unknown[]).concat(st.Resource);
        if (res.some((r) => typeof r === 'string' && r.includes('*'))) {
          for (const a of actions) expect(allowedStar, JSON.stringify(st)).toContain(a);
        }
        const joined = JSON.stringify(res);
        expect(joined).not.toMatch(/index\/\*/);
      }
    }
  });
});

describe('DynamoDB', () => {
  it('makes every table on-demand, PITR 35 days, deletion-protected, retained and encrypted with our key', () => {
    const tables = withTs.findResources('AWS::DynamoDB::Table') as Resources;
    expect(Object.keys(tables)).toHaveLength(TABLES.length);
    for (const t of Object.values(tables)) {
      expect(t.DeletionPolicy).toBe('Retain');
      expect(t.UpdateReplacePolicy).toBe('Retain');
      expect(t.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 35 },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: expect.anything() },
      });
    }
    withTs.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('streams new and old images of the data table, with the indexes the adapters query', () => {
    withTs.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: DATA_TABLE.indexes.map((i) =>
        Match.objectLike({ IndexName: i.indexName, Projection: { ProjectionType: 'ALL' } }),
      ),
    });
  });

  it('backs every table up with an AWS Backup plan', () => {
    withTs.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: Match.arrayWith([
          Match.objectLike({ RuleName: 'Daily' }),
          Match.objectLike({ RuleName: 'Monthly' }),
        ]),
      }),
    });
    const sel = resources(withTs, 'AWS::Backup::BackupSelection')[0]!;
    expect((sel.Properties!.BackupSelection as { Resources: unknown[] }).Resources).toHaveLength(
      TABLES.length,
    );
  });
});

describe('the audit consumer', () => {
  it('reads the stream with partial-batch failures, bisection, finite retries, a max age under 24 h and an SQS on-failure destination', () => {
    withTs.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: Match.anyValue(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: AUDIT_STREAM.retryAttempts,
      MaximumRecordAgeInSeconds: Match.anyValue(),
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: { Filters: [{ Pattern: Match.stringLikeRegexp('auditEntity') }] },
    });
    const esm = resources(withTs, 'AWS::Lambda::EventSourceMapping')[0]!.Properties!;
    expect(esm.MaximumRecordAgeInSeconds).toBeLessThan(24 * 3600);
    expect(esm.MaximumRetryAttempts).toBeGreaterThan(0);
  });

  it('sends every alarm to one encrypted topic', () => {
    const alarms = resources(withTs, 'AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    for (const a of alarms) expect(a.Properties!.AlarmActions).toHaveLength(1);
    withTs.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('raises an alarm when the consumer falls more than 15 minutes behind the stream', () => {
    withTs.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Threshold: 15 * 60 * 1000,
    });
  });

  it('raises an alarm as soon as a record lands in the failure queue', () => {
    withTs.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('telemetry resources', () => {
  it('creates Timestream only with the switch on, and always the rollups table and the fallback queue', () => {
    withTs.resourceCountIs('AWS::Timestream::Database', 1);
    withTs.resourceCountIs('AWS::Timestream::Table', 1);
    withoutTs.resourceCountIs('AWS::Timestream::Database', 0);
    // Late data (within the accepted lateness) lands in the magnetic store instead of being rejected.
    withTs.hasResourceProperties('AWS::Timestream::Table', {
      MagneticStoreWriteProperties: Match.objectLike({ EnableMagneticStoreWrites: true }),
    });
    for (const t of [withTs, withoutTs]) {
      const env = (resources(t, 'AWS::Lambda::Function')[0]!.Properties!.Environment as { Variables: object })
        .Variables;
      expect(Object.keys(env)).toContain(AWS_ENV.rawFallbackQueueUrl);
      expect(Object.keys(env).includes(AWS_ENV.timestreamTable)).toBe(t === withTs);
    }
  });

  it('replays the raw-sample fallback queue with partial batch failures', () => {
    withTs.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: Match.anyValue(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    withTs.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 10 },
      KmsMasterKeyId: Match.anyValue(),
    });
  });

  it('schedules every job of the schedule table with its cron expression', () => {
    for (const s of SCHEDULES.filter((x) => handlerExists(x.handler))) {
      withTs.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: s.cron });
    }
  });
});

describe('the archive (S3 Object Lock)', () => {
  it('locks every object in COMPLIANCE mode for the policy retention, versioned, KMS-encrypted, TLS only, private', () => {
    const policy = JSON.parse(readFileSync('shared/policy/archive.json', 'utf8')) as {
      defaultRetentionDays: number;
    };
    withTs.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: policy.defaultRetentionDays } },
      },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) }),
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'archive/' },
    });
    const locked = resources(withTs, 'AWS::S3::Bucket').filter((b) => b.Properties?.ObjectLockEnabled);
    expect(locked).toHaveLength(1);
    // The access logs go to another bucket (a locked bucket cannot be its own log target).
    const logTarget = (
      locked[0]!.Properties!.LoggingConfiguration as { DestinationBucketName: { Ref: string } }
    ).DestinationBucketName.Ref;
    expect(withTs.toJSON().Resources[logTarget].Properties.ObjectLockEnabled).toBeUndefined();
  });

  it('lets no function delete, bypass retention or change the lock; archive readers read, publishers put', () => {
    const statements = resources(withTs, 'AWS::IAM::Policy').flatMap(
      (p) => (p.Properties!.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    for (const forbidden of [
      's3:DeleteObject',
      's3:DeleteObjectVersion',
      's3:BypassGovernanceRetention',
      's3:PutBucketObjectLockConfiguration',
      's3:*',
    ])
      expect(actions).not.toContain(forbidden);
    expect(actions).toContain('s3:GetObject');
    expect(actions).toContain('s3:PutObjectRetention');
  });
});
