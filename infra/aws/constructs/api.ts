import { Annotations, Duration, NestedStack, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import {
  GATEWAY_RESPONSES,
  gatewayTemplate,
  THROTTLED_RETRY_AFTER_SECONDS,
} from '../../../shared/http/edge-errors.js';
import type { RouteSpec } from '../../../shared/http/routes.js';
import { API_STAGE, AWS_ENV, USAGE_PLAN_PREFIX } from '../../../shared/runtime/config.js';
import { featuresOf } from '../bundling.js';
import {
  AUTHORIZER_GRANTS,
  type DataGrants,
  GRANTS_BY_ACTION,
  HANDLER_GRANTS,
  USAGE_PLAN_HANDLERS,
  unionGrants,
} from '../grants.js';
import { apiGatewayModel, queryParameters } from '../models.js';
import { loadVendorTiers, type VendorTiers } from '../tiers.js';
import type { DataResources } from './data.js';
import { AccordFunction, handlerExists, handlerId } from './function.js';
import type { Identity } from './identity.js';
import { grantUsagePlans } from './usage-plan-access.js';

/** Stage-wide defaults; vendors are further limited by their usage plan. */
export const STAGE_THROTTLE = { rateLimit: 500, burstLimit: 1000 } as const;
/** WAF: requests per 5 minutes from one IP before it is blocked (people's routes). */
export const WAF_RATE_LIMIT = 2000;
/**
 * WAF on the telemetry route: twice what the largest vendor tier may send in 5 minutes (rate x 300 s), so a
 * vendor meets its usage plan's 429 first and the WAF stops only floods.
 */
export const WAF_TELEMETRY_RATE_LIMIT = Math.max(
  ...Object.values(loadVendorTiers().tiers).map((t) => t.rateLimit * 300 * 2),
);
/**
 * The vendor telemetry requests, wherever the stage name puts them in the path: for every route of the route table
 * whose `auth` is `vendor` (POST /v1/telemetry, POST /v1/metrics, the Datadog Agent's POST /api/v2/series and
 * GET /api/v1/validate today), its method exactly and a path ending in its path; nothing else (people's routes under
 * /v1/telemetry/... stay under the per-IP rule). Derived from the table, so a new vendor route is covered by the
 * telemetry rule without a hand-kept list.
 *
 * @param routes the route table (`shared/http/routes.ts`)
 * @returns a WAF statement matching exactly those requests
 * @throws Error when there is no vendor route, or a vendor route's path has a parameter (ENDS_WITH needs a literal
 *   path; a parameterised vendor path would need a regex statement)
 */
export function vendorRequestStatement(routes: readonly RouteSpec[]): wafv2.CfnWebACL.StatementProperty {
  const vendor = routes.filter((r) => r.auth === 'vendor');
  if (vendor.length === 0) throw new Error('the route table has no vendor route for the WAF telemetry rule');
  const one = (r: RouteSpec): wafv2.CfnWebACL.StatementProperty => {
    if (r.path.includes('{'))
      throw new Error(`vendor route ${r.id}: the WAF telemetry rule needs a literal path, got ${r.path}`);
    return {
      andStatement: {
        statements: [
          {
            byteMatchStatement: {
              searchString: r.method,
              fieldToMatch: { method: {} },
              positionalConstraint: 'EXACTLY',
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          {
            byteMatchStatement: {
              searchString: r.path,
              fieldToMatch: { uriPath: {} },
              positionalConstraint: 'ENDS_WITH',
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        ],
      },
    };
  };
  // WAF's OR needs at least two statements.
  return vendor.length === 1 ? one(vendor[0]!) : { orStatement: { statements: vendor.map(one) } };
}
/** Media types API Gateway passes through as binary (telemetry formats; PDF reports and archived PDFs). */
export const BINARY_MEDIA_TYPES = ['application/x-protobuf', 'application/octet-stream', 'application/pdf'];

export interface ApiProps {
  routes: readonly RouteSpec[];
  data: DataResources;
  identity: Identity;
  tiers: VendorTiers;
  environment: Record<string, string>;
}

/**
 * The REST API, generated from the route table: one Lambda per distinct handler module, one API Gateway
 * method per route with its authorizer (Cognito for people, the vendor Lambda authorizer for vendors),
 * request validation from the same zod schemas, and the vendor usage plans.
 */
export class Api extends Construct {
  readonly api: apigw.RestApi;
  readonly functions = new Map<string, AccordFunction>();
  /** The nested stack that holds the route handlers' functions. */
  readonly handlers: NestedStack;
  /** The nested stack that holds the API methods' Lambda invoke permissions (one per method, scoped to it). */
  readonly permissions: NestedStack;
  readonly authorizerFn: AccordFunction;
  readonly peopleAuthorizerFn: AccordFunction;
  readonly usagePlans = new Map<string, apigw.UsagePlan>();
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_YEAR });
    this.api = new apigw.RestApi(this, 'Rest', {
      restApiName: `accord-${Stack.of(this).region}`,
      description: 'Accord: service agreements and the telemetry that proves them',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      binaryMediaTypes: BINARY_MEDIA_TYPES,
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: API_STAGE,
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: STAGE_THROTTLE.rateLimit,
        throttlingBurstLimit: STAGE_THROTTLE.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: apigw.AccessLogField.contextRequestId(),
            ip: apigw.AccessLogField.contextIdentitySourceIp(),
            caller: apigw.AccessLogField.contextIdentityCaller(),
            user: apigw.AccessLogField.contextIdentityUser(),
            principal: apigw.AccessLogField.contextAuthorizerPrincipalId(),
            requestTime: apigw.AccessLogField.contextRequestTime(),
            httpMethod: apigw.AccessLogField.contextHttpMethod(),
            resourcePath: apigw.AccessLogField.contextResourcePath(),
            status: apigw.AccessLogField.contextStatus(),
            protocol: apigw.AccessLogField.contextProtocol(),
            responseLength: apigw.AccessLogField.contextResponseLength(),
            latencyMs: apigw.AccessLogField.contextResponseLatency(),
            integrationLatencyMs: apigw.AccessLogField.contextIntegrationLatency(),
            error: apigw.AccessLogField.contextErrorMessage(),
            validation: apigw.AccessLogField.contextErrorValidationErrorString(),
            wafResponse: apigw.AccessLogField.contextWafResponseCode(),
          }),
        ),
      },
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-wide API Gateway logging role: AWS maintains this policy for exactly this purpose (write execution and access logs); it grants no data access.',
    });
    // Errors API Gateway answers itself carry the API's error shape (shared/http/edge-errors.ts): every gateway
    // response type, rendered from fixed text and the request id only, so no input can make the body invalid JSON.
    // A route miss (MISSING_AUTHENTICATION_TOKEN) is the local server's 404 no_such_route.
    for (const [type, e] of Object.entries(GATEWAY_RESPONSES)) {
      this.api.addGatewayResponse(`Gw${type}`, {
        type: apigw.ResponseType.of(type),
        ...(e.status ? { statusCode: String(e.status) } : {}),
        ...(e.headers
          ? { responseHeaders: Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k, `'${v}'`])) }
          : {}),
        templates: { 'application/json': gatewayTemplate(e) },
      });
    }
    const slowTier = Object.entries(props.tiers.tiers).find(([, t]) => t.rateLimit < 1);
    if (slowTier) {
      throw new Error(
        `vendor tier ${slowTier[0]}: rateLimit ${slowTier[1].rateLimit} is below 1 request/s, so the gateway's static Retry-After (${THROTTLED_RETRY_AFTER_SECONDS} s) would be too short`,
      );
    }

    const bodyValidator = this.api.addRequestValidator('BodyAndParams', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const paramsValidator = this.api.addRequestValidator('ParamsOnly', {
      validateRequestBody: false,
      validateRequestParameters: true,
    });

    // People: one token form on both deployments. The people authorizer verifies the Cognito ID token itself
    // (jose, against the pool's JWKS) and takes `Bearer <jwt>` or the raw token, exactly as the local server
    // does, so it does not matter whether API Gateway's own Cognito authorizer would strip `Bearer `.
    this.peopleAuthorizerFn = new AccordFunction(this, 'PeopleAuthorizerFn', {
      handler: 'authorizers/people',
      environment: {
        ...props.environment,
        [AWS_ENV.userPoolId]: props.identity.userPool.userPoolId,
        [AWS_ENV.userPoolClientId]: props.identity.client.userPoolClientId,
      },
      grants: {},
      data: props.data,
      memorySize: 256,
      timeout: Duration.seconds(5),
      invocation: 'api',
      description: 'Accord people authorizer: Cognito ID token (Bearer or raw) verified with jose',
    });
    const peopleAuthorizer = new apigw.RequestAuthorizer(this, 'People', {
      handler: this.peopleAuthorizerFn.fn,
      identitySources: [apigw.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.minutes(5),
    });
    this.authorizerFn = new AccordFunction(this, 'VendorAuthorizerFn', {
      handler: 'authorizers/vendor',
      environment: props.environment,
      grants: AUTHORIZER_GRANTS,
      data: props.data,
      memorySize: 256,
      timeout: Duration.seconds(5),
      invocation: 'api',
      description: 'Accord vendor authorizer: API key (by SHA-256) to vendor identity',
    });
    // Vendors send their key in one of several headers (Authorization Bearer or Basic, DD-API-KEY, x-api-key):
    // API Gateway's cache needs every identity source present, so it is off and the authorizer is asked each time
    // (it remembers lookups itself, keyed by the key's hash whatever header carried it: shared/usecases/vendors.ts).
    const vendorAuthorizer = new apigw.RequestAuthorizer(this, 'Vendors', {
      handler: this.authorizerFn.fn,
      identitySources: [],
      resultsCacheTtl: Duration.seconds(0),
    });
    (vendorAuthorizer.node.defaultChild as apigw.CfnAuthorizer).addPropertyDeletionOverride('IdentitySource');

    // One function per handler module; its grants are the union over the routes it serves.
    const deployable = props.routes.filter((r) => {
      if (handlerExists(r.handler)) return true;
      Annotations.of(this).addWarningV2(
        'accord:missing-handler',
        `route ${r.id}: functions/${r.handler}.ts does not exist`,
      );
      return false;
    });
    const byHandler = new Map<string, RouteSpec[]>();
    for (const r of deployable) byHandler.set(r.handler, [...(byHandler.get(r.handler) ?? []), r]);
    // The route handlers' functions (each with its role, policy and log group: four resources) live in a nested
    // stack: with them the stack passed CloudFormation's limit of 500 resources per stack (630 at 60 handlers),
    // which CDK refuses at synthesis. The API, its methods and their invoke permissions stay here.
    this.handlers = new NestedStack(this, 'Handlers', {
      description: 'Accord API: one Lambda function per route handler module',
    });
    for (const [handler, routes] of byHandler) {
      const grants: DataGrants = unionGrants([
        ...routes.map((r) => (r.action ? GRANTS_BY_ACTION[r.action] : {})),
        HANDLER_GRANTS[handler] ?? {},
      ]);
      this.functions.set(
        handler,
        new AccordFunction(this.handlers, handlerId(handler), {
          handler,
          environment: props.environment,
          grants,
          data: props.data,
          invocation: 'api',
          features: featuresOf(
            handler,
            routes.flatMap((r) => (r.action ? [r.action] : [])),
          ),
          description: `Accord ${routes.map((r) => r.id).join(', ')}`.slice(0, 256),
        }),
      );
    }

    // API Gateway's permission to invoke each method's function, scoped to that method's ARN (as LambdaIntegration
    // would grant it), in a nested stack of their own: one per method, they were the main stack's largest family
    // (90 of 463 resources) and kept it within a few routes of CloudFormation's 500. test/infra/stack.test.ts holds
    // every stack under its ceiling.
    this.permissions = new NestedStack(this, 'Permissions', {
      description: 'Accord API: API Gateway permission to invoke each method function, scoped to the method',
    });
    const apiGateway = new iam.ServicePrincipal('apigateway.amazonaws.com');

    for (const r of deployable) {
      const resource = this.api.root.resourceForPath(r.path);
      const pathParams = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      const query = queryParameters(r.query);
      const requestParameters: Record<string, boolean> = {
        ...Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
        ...Object.fromEntries(
          Object.entries(query).map(([k, req]) => [`method.request.querystring.${k}`, req]),
        ),
        ...(r.ifMatch ? { 'method.request.header.If-Match': false } : {}),
      };
      const jsonBody = r.body !== undefined && !r.binary;
      const auth: Partial<apigw.MethodOptions> =
        r.auth === 'user'
          ? { authorizer: peopleAuthorizer, authorizationType: apigw.AuthorizationType.CUSTOM }
          : r.auth === 'vendor'
            ? {
                authorizer: vendorAuthorizer,
                authorizationType: apigw.AuthorizationType.CUSTOM,
                apiKeyRequired: true,
              }
            : { authorizationType: apigw.AuthorizationType.NONE };
      const fn = this.functions.get(r.handler)!.fn;
      const method = resource.addMethod(
        r.method,
        // LambdaIntegration's own integration (a Lambda proxy), without the permission it would add to this stack.
        new apigw.AwsIntegration({
          proxy: true,
          service: 'lambda',
          path: `2015-03-31/functions/${fn.functionArn}/invocations`,
        }),
        {
          operationName: r.id,
          ...auth,
          requestParameters,
          requestValidator: jsonBody ? bodyValidator : paramsValidator,
          ...(jsonBody
            ? {
                requestModels: {
                  'application/json': this.api.addModel(`M${handlerId(r.id)}`, {
                    contentType: 'application/json',
                    modelName: handlerId(r.id.replace(/\./g, '-')),
                    schema: apiGatewayModel(r.body!) as apigw.JsonSchema,
                  }),
                },
              }
            : {}),
        },
      );
      fn.addPermission(`Invoke${handlerId(r.id)}`, {
        principal: apiGateway,
        scope: this.permissions,
        sourceArn: method.methodArn,
      });
      if (r.auth === 'user') {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason: `${r.method} ${r.path} is authorised by the people Lambda authorizer, which verifies the caller's Cognito ID token from this stack's user pool (RS256 against the pool's JWKS, issuer, app-client audience, token_use id, expiry, at most 24 h lifetime): Cognito still authenticates, the authorizer only accepts both header forms the API documents.`,
        });
      }
      if (r.auth === 'vendor') {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason: `${r.method} ${r.path} is called by monitoring vendors (machines, not people): they authenticate with an API key through the vendor Lambda authorizer and are throttled by their usage plan.`,
        });
      }
      if (r.auth === 'none') {
        for (const rule of ['AwsSolutions-APIG4', 'AwsSolutions-COG4']) {
          Validations.of(method).acknowledge({
            id: rule,
            reason: `${r.method} ${r.path} is public by design (${r.summary}): it reveals no agreement data.`,
          });
        }
      }
    }

    for (const [tier, t] of Object.entries(props.tiers.tiers)) {
      this.usagePlans.set(
        tier,
        this.api.addUsagePlan(`Plan-${tier}`, {
          name: `${USAGE_PLAN_PREFIX}${tier}`,
          description: `Vendor tier ${tier} (shared/policy/vendor-tiers.json)`,
          throttle: { rateLimit: t.rateLimit, burstLimit: t.burstLimit },
          quota: { limit: t.quota.limit, period: apigw.Period[t.quota.period] },
          apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
        }),
      );
    }

    // Vendor management enrols vendors in these plans (one metering API key per vendor) and withdraws them.
    for (const [handler, need] of Object.entries(USAGE_PLAN_HANDLERS)) {
      const f = this.functions.get(handler);
      if (f)
        grantUsagePlans(
          this,
          `UsagePlans${handlerId(handler)}`,
          f,
          this.api,
          [...this.usagePlans.values()],
          need,
        );
    }

    new cloudwatch.Alarm(this, 'ServerErrors', {
      alarmDescription: 'More than 1% of API requests end in a 5xx over 10 minutes',
      metric: new cloudwatch.MathExpression({
        expression: 'IF(requests > 100, 100 * errors / requests, 0)',
        usingMetrics: {
          errors: this.api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
          requests: this.api.metricCount({ period: Duration.minutes(5), statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const vendorRequests = vendorRequestStatement(props.routes);
    this.webAcl = new wafv2.CfnWebACL(this, 'Waf', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        cloudWatchMetricsEnabled: true,
        metricName: 'accord-api',
        sampledRequestsEnabled: true,
      },
      rules: [
        {
          name: 'rate-per-ip',
          priority: 0,
          action: { block: {} },
          // People's routes. Vendor telemetry is left to its own rule below: a vendor pushing from one egress
          // IP at its usage plan's rate must meet the plan's 429 with Retry-After, not a WAF block.
          statement: {
            rateBasedStatement: {
              limit: WAF_RATE_LIMIT,
              aggregateKeyType: 'IP',
              scopeDownStatement: { notStatement: { statement: vendorRequests } },
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'accord-rate',
            sampledRequestsEnabled: true,
          },
        },
        {
          name: 'rate-per-ip-telemetry',
          priority: 2,
          action: { block: {} },
          // A backstop above the largest usage plan (so the plan throttles first): floods, not vendors.
          statement: {
            rateBasedStatement: {
              limit: WAF_TELEMETRY_RATE_LIMIT,
              aggregateKeyType: 'IP',
              scopeDownStatement: vendorRequests,
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'accord-rate-telemetry',
            sampledRequestsEnabled: true,
          },
        },
        {
          name: 'aws-common',
          priority: 1,
          overrideAction: { none: {} },
          statement: {
            managedRuleGroupStatement: {
              vendorName: 'AWS',
              name: 'AWSManagedRulesCommonRuleSet',
              // Telemetry batches are legitimately larger than the rule set's 8 KB body limit.
              excludedRules: [{ name: 'SizeRestrictions_BODY' }],
            },
          },
          visibilityConfig: {
            cloudWatchMetricsEnabled: true,
            metricName: 'accord-common',
            sampledRequestsEnabled: true,
          },
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WafAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }
}
