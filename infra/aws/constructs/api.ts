import { Annotations, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { RouteSpec } from '../../../shared/http/routes.js';
import { featuresOf } from '../bundling.js';
import { AUTHORIZER_GRANTS, type DataGrants, GRANTS_BY_ACTION, unionGrants } from '../grants.js';
import { apiGatewayModel, queryParameters } from '../models.js';
import { loadVendorTiers, type VendorTiers } from '../tiers.js';
import type { DataResources } from './data.js';
import { AccordFunction, handlerExists, handlerId } from './function.js';
import type { Identity } from './identity.js';

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
/** The vendor route, wherever the stage name puts it in the path. */
const TELEMETRY_PATH: wafv2.CfnWebACL.StatementProperty = {
  byteMatchStatement: {
    searchString: '/v1/telemetry',
    fieldToMatch: { uriPath: {} },
    positionalConstraint: 'CONTAINS',
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
};
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
  readonly authorizerFn: AccordFunction;
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
        stageName: 'live',
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
    // Errors API Gateway answers itself carry the same JSON shape as the handlers' (shared/http/errors.ts).
    // Gateway templates are plain substitution (no VTL). messageString arrives quoted (documented); for request
    // validation the detail (`validationErrorString`, which names the failing property) is substituted the same
    // way, as public use of it shows; it is also in the access log (`validation` field). Not proven on AWS here.
    const gatewayErrors: [apigw.ResponseType, string, string, string][] = [
      [
        apigw.ResponseType.BAD_REQUEST_BODY,
        'validation_failed',
        '"(body)"',
        '$context.error.validationErrorString',
      ],
      [
        apigw.ResponseType.BAD_REQUEST_PARAMETERS,
        'validation_failed',
        '"(parameters)"',
        '$context.error.validationErrorString',
      ],
      [apigw.ResponseType.DEFAULT_4XX, 'request_rejected', '"(request)"', '$context.error.messageString'],
      [apigw.ResponseType.DEFAULT_5XX, 'internal', '"(gateway)"', '$context.error.messageString'],
    ];
    for (const [type, code, path, problem] of gatewayErrors) {
      this.api.addGatewayResponse(`Gw${type.responseType}`, {
        type,
        templates: {
          'application/json': `{"error":{"code":"${code}","message":$context.error.messageString,"details":[{"path":${path},"problem":${problem}}]},"requestId":"$context.requestId"}`,
        },
      });
    }

    const bodyValidator = this.api.addRequestValidator('BodyAndParams', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const paramsValidator = this.api.addRequestValidator('ParamsOnly', {
      validateRequestBody: false,
      validateRequestParameters: true,
    });

    const cognitoAuthorizer = new apigw.CognitoUserPoolsAuthorizer(this, 'People', {
      cognitoUserPools: [props.identity.userPool],
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
    const vendorAuthorizer = new apigw.RequestAuthorizer(this, 'Vendors', {
      handler: this.authorizerFn.fn,
      identitySources: [apigw.IdentitySource.header('x-api-key')],
      resultsCacheTtl: Duration.minutes(5),
    });

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
    for (const [handler, routes] of byHandler) {
      const grants: DataGrants = unionGrants(routes.map((r) => (r.action ? GRANTS_BY_ACTION[r.action] : {})));
      this.functions.set(
        handler,
        new AccordFunction(this, handlerId(handler), {
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
          ? { authorizer: cognitoAuthorizer, authorizationType: apigw.AuthorizationType.COGNITO }
          : r.auth === 'vendor'
            ? {
                authorizer: vendorAuthorizer,
                authorizationType: apigw.AuthorizationType.CUSTOM,
                apiKeyRequired: true,
              }
            : { authorizationType: apigw.AuthorizationType.NONE };
      const method = resource.addMethod(
        r.method,
        new apigw.LambdaIntegration(this.functions.get(r.handler)!.fn, { allowTestInvoke: false }),
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
          name: `accord-vendor-${tier}`,
          description: `Vendor tier ${tier} (shared/policy/vendor-tiers.json)`,
          throttle: { rateLimit: t.rateLimit, burstLimit: t.burstLimit },
          quota: { limit: t.quota.limit, period: apigw.Period[t.quota.period] },
          apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
        }),
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
              scopeDownStatement: { notStatement: { statement: TELEMETRY_PATH } },
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
              scopeDownStatement: TELEMETRY_PATH,
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
