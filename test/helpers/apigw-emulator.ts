import { randomUUID } from 'node:crypto';
import AjvDraft4 from 'ajv-draft-04';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import { parseWithLexemes } from './json-lexemes.js';

/**
 * API Gateway (REST, Lambda proxy) as far as it can be known offline, read from the synthesized CloudFormation
 * template: the resource tree, methods and their authorizers, request validators and models, binary media
 * types, the stage, and the gateway responses. A request goes through it in API Gateway's order (route match,
 * authorizer, request validation, integration) and the answer is what a client would get: a gateway response
 * rendered by plain `$context` substitution, or the Lambda's proxy result.
 *
 * Lambda authorizers run as API Gateway runs them: the method's Authorizer resource names the Lambda function
 * (its AuthorizerUri), which gets a REQUEST event; with a result TTL, every identity source must be present
 * (else 401 without a call) and the returned policy is cached per identity-source values for the TTL and
 * evaluated against each request's method ARN (a Deny, or no Allow, matching it is ACCESS_DENIED); an
 * authorizer that throws "Unauthorized" is UNAUTHORIZED, any other failure AUTHORIZER_FAILURE; the policy's
 * context and principalId reach the integration as `requestContext.authorizer`.
 *
 * What is emulated as documented rather than observed (see docs/aws.md, "What cannot be proven offline"): the
 * order authorizer-then-validation; that a missing Content-Type selects the application/json model and an
 * unmatched one skips validation; that MISSING_AUTHENTICATION_TOKEN answers unknown paths and methods; the
 * wording of `validationErrorString` (made up here, and hostile on purpose: it quotes the input).
 */

// The package is CommonJS with `exports.default`: under NodeNext the class is the default's `default`.
const Ajv = (AjvDraft4 as unknown as { default: typeof AjvDraft4.default }).default;

type Cfn = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
type Schema = Record<string, unknown>;

/** API Gateway's default status for each gateway response type (DEFAULT_* keep the status they catch). */
export const DEFAULT_STATUS: Record<string, number> = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  EXPIRED_TOKEN: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  INVALID_API_KEY: 403,
  INVALID_SIGNATURE: 403,
  MISSING_AUTHENTICATION_TOKEN: 403,
  QUOTA_EXCEEDED: 429,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  THROTTLED: 429,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  WAF_FILTERED: 403,
};

export interface EmulatedRequest {
  method: string;
  /** The path as the client sends it, stage included (`/live/v1/...`). */
  path: string;
  /** Query string without `?`. */
  query?: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface EmulatedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Set when API Gateway answered itself. */
  gatewayResponse?: string;
}

/** The `$context` values a gateway response can be rendered with. */
export interface GatewayContext {
  requestId: string;
  responseType: string;
  message: string;
  validationErrorString: string;
}

/** A Lambda authorizer as the template configures it. */
interface Authorizer {
  id: string;
  type: string;
  /** The logical id of the Lambda function its AuthorizerUri invokes. */
  functionId: string;
  identitySources: string[];
  ttl: number;
}

/** A REQUEST authorizer Lambda, as API Gateway invokes it. */
export type RequestAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
) => Promise<APIGatewayAuthorizerResult>;

interface Method {
  operationName: string;
  resourcePath: string;
  httpMethod: string;
  authorizationType: string;
  authorizer?: Authorizer;
  apiKeyRequired: boolean;
  requestParameters: Record<string, boolean>;
  validator?: { body: boolean; params: boolean };
  models: Record<string, Schema>;
}

export interface EmulatorOptions {
  /**
   * The Lambda authorizers' handlers, by the logical id of the Lambda function an Authorizer resource's
   * AuthorizerUri names. An authorizer whose function is missing here fails the request loudly.
   */
  authorizers: Record<string, RequestAuthorizer>;
  /** Invokes the Lambda integration of a method (by its operation name, the route id). */
  invoke: (operationName: string, event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
  domainName?: string;
}

const ref = (v: unknown): string | undefined => (v as { Ref?: string } | undefined)?.Ref;

/** The logical id of the function whose `Fn::GetAtt [id, Arn]` an AuthorizerUri (an `Fn::Join`) holds. */
function functionIdIn(uri: unknown): string | undefined {
  if (Array.isArray(uri)) {
    for (const part of uri) {
      const found = functionIdIn(part);
      if (found) return found;
    }
    return undefined;
  }
  if (uri === null || typeof uri !== 'object') return undefined;
  const getAtt = (uri as { 'Fn::GetAtt'?: unknown[] })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === 'Arn') return String(getAtt[0]);
  return functionIdIn(Object.values(uri));
}

/** IAM's match of a policy Resource against an ARN: `*` any run of characters, `?` one. */
function arnMatches(pattern: string, arn: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(arn);
}

/**
 * API Gateway's evaluation of an authorizer's policy for one method ARN: an explicit Deny matching it wins,
 * then an Allow matching it; nothing matching is a denial too.
 */
export function policyAllows(result: APIGatewayAuthorizerResult, methodArn: string): boolean {
  const statements = ([] as unknown[]).concat(result.policyDocument?.Statement ?? []) as {
    Effect: string;
    Action?: string | string[];
    Resource?: string | string[];
  }[];
  const matching = statements.filter(
    (st) =>
      ([] as string[]).concat(st.Action ?? []).some((a) => arnMatches(a, 'execute-api:Invoke')) &&
      ([] as string[]).concat(st.Resource ?? []).some((r) => arnMatches(r, methodArn)),
  );
  if (matching.some((st) => st.Effect === 'Deny')) return false;
  return matching.some((st) => st.Effect === 'Allow');
}

export class ApiGatewayEmulator {
  readonly stage: string;
  private readonly binaryTypes: string[];
  private readonly methods: Method[] = [];
  private readonly responses = new Map<
    string,
    { status?: string; templates: Record<string, string>; headers: Record<string, string> }
  >();
  private readonly ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  private readonly validators = new Map<Schema, ReturnType<typeof this.ajv.compile>>();
  /** Number lexemes of the body being validated (for the `apigwInteger` keyword). */
  private decimalNumbers = new Set<string>();
  /** Cached authorizer results: authorizer id and identity-source values → the result and its expiry (ms). */
  private readonly authorizerCache = new Map<string, { result: APIGatewayAuthorizerResult; until: number }>();

  constructor(
    template: { Resources: Cfn },
    private readonly options: EmulatorOptions,
  ) {
    const res = template.Resources;
    const byType = (t: string) => Object.entries(res).filter(([, r]) => r.Type === t);
    const [apiId, api] = byType('AWS::ApiGateway::RestApi')[0]!;
    this.binaryTypes = ((api.Properties!.BinaryMediaTypes as string[] | undefined) ?? []).map((t) =>
      t.replace('~1', '/'),
    );
    this.stage = String(byType('AWS::ApiGateway::Stage')[0]![1].Properties!.StageName);

    const pathOf = (id: unknown): string => {
      const getAtt = (id as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt'];
      if (getAtt && getAtt[0] === apiId && getAtt[1] === 'RootResourceId') return '';
      const r = res[ref(id)!]!;
      return `${pathOf(r.Properties!.ParentId)}/${r.Properties!.PathPart as string}`;
    };
    const authorizers = new Map(
      byType('AWS::ApiGateway::Authorizer').map(([id, a]): [string, Authorizer] => [
        id,
        {
          id,
          type: String(a.Properties!.Type),
          functionId: functionIdIn(a.Properties!.AuthorizerUri) ?? '(no function)',
          identitySources: String(a.Properties!.IdentitySource ?? '')
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          ttl: Number(a.Properties!.AuthorizerResultTtlInSeconds ?? 300),
        },
      ]),
    );
    const validators = new Map(
      byType('AWS::ApiGateway::RequestValidator').map(([id, v]) => [
        id,
        {
          body: v.Properties!.ValidateRequestBody === true,
          params: v.Properties!.ValidateRequestParameters === true,
        },
      ]),
    );
    const models = new Map(
      byType('AWS::ApiGateway::Model').map(([id, m]) => [id, m.Properties!.Schema as Schema]),
    );
    for (const [, m] of byType('AWS::ApiGateway::Method')) {
      const p = m.Properties!;
      this.methods.push({
        operationName: String(p.OperationName),
        resourcePath: pathOf(p.ResourceId) || '/',
        httpMethod: String(p.HttpMethod),
        authorizationType: String(p.AuthorizationType ?? 'NONE'),
        ...(ref(p.AuthorizerId) ? { authorizer: authorizers.get(ref(p.AuthorizerId)!)! } : {}),
        apiKeyRequired: p.ApiKeyRequired === true,
        requestParameters: (p.RequestParameters as Record<string, boolean> | undefined) ?? {},
        ...(ref(p.RequestValidatorId) ? { validator: validators.get(ref(p.RequestValidatorId)!)! } : {}),
        models: Object.fromEntries(
          Object.entries((p.RequestModels as Record<string, unknown> | undefined) ?? {}).map(([ct, id]) => [
            ct,
            models.get(ref(id)!)!,
          ]),
        ),
      });
    }
    for (const [, g] of byType('AWS::ApiGateway::GatewayResponse')) {
      const p = g.Properties!;
      this.responses.set(String(p.ResponseType), {
        ...(p.StatusCode ? { status: String(p.StatusCode) } : {}),
        templates: (p.ResponseTemplates as Record<string, string> | undefined) ?? {},
        headers: Object.fromEntries(
          Object.entries((p.ResponseParameters as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
            k.replace(/^gatewayresponse\.header\./, ''),
            // Only static values ('text') are used; request-mapped ones are not emulated.
            /^'.*'$/.test(v) ? v.slice(1, -1) : `<mapped from ${v}>`,
          ]),
        ),
      });
    }
    const decimal = () => this.decimalNumbers;
    // `type: integer` as API Gateway reads it: an integral value written without a fraction or an exponent.
    this.ajv.addKeyword({
      keyword: 'apigwInteger',
      validate: (_s: unknown, data: unknown, _p: unknown, cxt?: { instancePath: string }) =>
        typeof data !== 'number' || (Number.isInteger(data) && !decimal().has(cxt?.instancePath ?? '')),
    });
  }

  /** Methods read from the template, for tests that enumerate them. */
  get operations(): readonly Method[] {
    return this.methods;
  }

  /**
   * A gateway response as API Gateway renders it: the configured response for the type (or DEFAULT_4XX/5XX by
   * the type's status), its application/json template with each `$context` variable replaced by its text, no
   * escaping, and its static headers.
   */
  render(type: string, ctx: Omit<GatewayContext, 'responseType'>): EmulatedResponse {
    const defaultStatus = DEFAULT_STATUS[type] ?? 500;
    const configured =
      this.responses.get(type) ?? this.responses.get(defaultStatus < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX');
    const status = Number(configured?.status ?? defaultStatus);
    const full: GatewayContext = { ...ctx, responseType: type };
    const values: Record<string, string> = {
      '$context.requestId': full.requestId,
      '$context.extendedRequestId': full.requestId,
      '$context.error.responseType': full.responseType,
      '$context.error.message': full.message,
      // Documented as the quoted message: quoted, not escaped.
      '$context.error.messageString': `"${full.message}"`,
      '$context.error.validationErrorString': full.validationErrorString,
      '$context.stage': this.stage,
    };
    const template = configured?.templates['application/json'] ?? '{"message":$context.error.messageString}';
    const body = template.replace(/\$context(?:\.[A-Za-z]\w*)+/g, (v) => {
      const value = values[v];
      if (value === undefined) throw new Error(`the emulator does not know ${v}`);
      return value;
    });
    return {
      status,
      headers: { 'Content-Type': 'application/json', ...(configured?.headers ?? {}) },
      body,
      gatewayResponse: type,
    };
  }

  /** One request through the API, as a client on the execute-api domain sees it. */
  async handle(req: EmulatedRequest): Promise<EmulatedResponse> {
    const requestId = randomUUID();
    const fail = (type: string, message: string, validationErrorString = '') =>
      this.render(type, { requestId, message, validationErrorString });
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const body = req.body ?? Buffer.alloc(0);
    if (body.length > 10 * 1024 * 1024) return fail('REQUEST_TOO_LARGE', 'Request Too Long');

    const stagePrefix = `/${this.stage}`;
    if (req.path !== stagePrefix && !req.path.startsWith(`${stagePrefix}/`)) {
      // No stage: not this API's gateway responses at all.
      return { status: 403, headers: {}, body: '{"message":"Forbidden"}' };
    }
    const path = req.path.slice(stagePrefix.length) || '/';
    const found = this.route(req.method.toUpperCase(), path);
    if (!found) return fail('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token');
    const { method, pathParameters } = found;

    const query = new URLSearchParams(req.query ?? '');
    let authorizer: Record<string, unknown> | null = null;
    if (method.authorizationType === 'COGNITO_USER_POOLS') {
      throw new Error(`${method.operationName}: the emulator runs Lambda authorizers only, not Cognito's`);
    }
    if (method.authorizationType === 'CUSTOM' && method.authorizer) {
      const a = method.authorizer;
      const sources = a.identitySources.map((s) => {
        const m = /^method\.request\.(header|querystring)\.(.+)$/.exec(s);
        if (!m) throw new Error(`the emulator does not know identity source ${s}`);
        return m[1] === 'header' ? headers[m[2]!.toLowerCase()] : (query.get(m[2]!) ?? undefined);
      });
      // With caching on, every identity source must be present, or API Gateway answers 401 itself.
      if (a.ttl > 0 && sources.some((v) => !v)) return fail('UNAUTHORIZED', 'Unauthorized');
      const methodArn = `arn:aws:execute-api:eu-west-1:123456789012:emulated/${this.stage}/${method.httpMethod}${path}`;
      const cacheKey = JSON.stringify([a.id, ...sources]);
      const cached = a.ttl > 0 ? this.authorizerCache.get(cacheKey) : undefined;
      let result: APIGatewayAuthorizerResult;
      if (cached && cached.until > Date.now()) {
        result = cached.result;
      } else {
        const fn = this.options.authorizers[a.functionId];
        if (!fn) throw new Error(`authorizer ${a.id}: no handler given for its function ${a.functionId}`);
        try {
          result = await fn({
            type: 'REQUEST',
            methodArn,
            resource: method.resourcePath,
            path,
            httpMethod: method.httpMethod,
            headers: req.headers,
            multiValueHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, [v]])),
            pathParameters,
            queryStringParameters: Object.fromEntries(query),
            multiValueQueryStringParameters: multiValue(query),
            stageVariables: null,
            requestContext: {
              accountId: '123456789012',
              apiId: 'emulated',
              httpMethod: method.httpMethod,
              path: req.path,
              protocol: 'HTTP/1.1',
              requestId,
              requestTimeEpoch: Date.now(),
              resourceId: 'emulated',
              resourcePath: method.resourcePath,
              stage: this.stage,
              identity: { sourceIp: '198.51.100.7', userAgent: headers['user-agent'] ?? null },
            } as never,
          });
        } catch (err) {
          return err instanceof Error && err.message === 'Unauthorized'
            ? fail('UNAUTHORIZED', 'Unauthorized')
            : fail('AUTHORIZER_FAILURE', 'Authorizer error');
        }
        if (a.ttl > 0) this.authorizerCache.set(cacheKey, { result, until: Date.now() + a.ttl * 1000 });
      }
      if (!policyAllows(result, methodArn)) {
        return fail('ACCESS_DENIED', 'User is not authorized to access this resource');
      }
      if (method.apiKeyRequired && !(result as { usageIdentifierKey?: string }).usageIdentifierKey)
        return fail('INVALID_API_KEY', 'Forbidden');
      authorizer = { ...(result.context ?? {}), principalId: result.principalId };
    }

    if (method.validator?.params) {
      for (const [name, required] of Object.entries(method.requestParameters)) {
        if (!required) continue;
        const m = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(name)!;
        const value =
          m[1] === 'path'
            ? pathParameters[m[2]!]
            : m[1] === 'header'
              ? headers[m[2]!.toLowerCase()]
              : query.get(m[2]!);
        if (!value?.trim())
          return fail(
            'BAD_REQUEST_PARAMETERS',
            `Missing required request parameters: [${m[2]}]`,
            `Missing required request parameters: [${m[2]}]`,
          );
      }
    }
    const contentType = (headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    if (method.validator?.body) {
      const model = method.models[contentType] ?? method.models.$default;
      if (model) {
        const problem = this.validate(model, body.toString('utf8'));
        if (problem !== undefined) return fail('BAD_REQUEST_BODY', 'Invalid request body', problem);
      }
    }

    const binary = this.binaryTypes.includes(contentType) && body.length > 0;
    const multiQuery = multiValue(query) ?? {};
    const event: APIGatewayProxyEvent = {
      resource: method.resourcePath,
      path,
      httpMethod: method.httpMethod,
      headers: req.headers,
      multiValueHeaders: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: Object.keys(multiQuery).length ? Object.fromEntries(query) : null,
      multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
      stageVariables: null,
      body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: binary,
      requestContext: {
        accountId: '123456789012',
        apiId: 'emulated',
        authorizer,
        domainName: this.options.domainName ?? 'abc123.execute-api.eu-west-1.amazonaws.com',
        httpMethod: method.httpMethod,
        identity: { sourceIp: '198.51.100.7', userAgent: headers['user-agent'] ?? null } as never,
        path: req.path,
        protocol: 'HTTP/1.1',
        requestId,
        requestTimeEpoch: Date.now(),
        resourceId: 'emulated',
        resourcePath: method.resourcePath,
        stage: this.stage,
      },
    };
    const result = await this.options.invoke(method.operationName, event);
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.headers ?? {})) out[k] = String(v);
    for (const [k, v] of Object.entries(result.multiValueHeaders ?? {})) out[k] = v.map(String).join(',');
    return {
      status: result.statusCode,
      headers: out,
      body: result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body,
    };
  }

  /**
   * Resource matching: segment by segment, a literal child before a `{param}` child (API Gateway prefers the
   * more specific resource); then the method, or ANY.
   */
  private route(
    httpMethod: string,
    path: string,
  ): { method: Method; pathParameters: Record<string, string> } | undefined {
    const segments = path.split('/').slice(1);
    if (segments.some((s) => s === '')) return path === '/' ? this.pick(httpMethod, '/', {}) : undefined;
    const paths = [...new Set(this.methods.map((m) => m.resourcePath))].map((p) => p.split('/').slice(1));
    let candidates = paths.filter((p) => p.length === segments.length);
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const literal = candidates.filter((p) => p[i] === segments[i]);
      if (literal.length) {
        candidates = literal;
        continue;
      }
      candidates = candidates.filter((p) => /^\{\w+\}$/.test(p[i]!));
      if (!candidates.length) return undefined;
      params[candidates[0]![i]!.slice(1, -1)] = decodeURIComponent(segments[i]!);
    }
    if (!candidates.length) return undefined;
    return this.pick(httpMethod, `/${candidates[0]!.join('/')}`, params);
  }

  private pick(httpMethod: string, resourcePath: string, pathParameters: Record<string, string>) {
    const method =
      this.methods.find((m) => m.resourcePath === resourcePath && m.httpMethod === httpMethod) ??
      this.methods.find((m) => m.resourcePath === resourcePath && m.httpMethod === 'ANY');
    return method ? { method, pathParameters } : undefined;
  }

  /**
   * The model check: the body parsed as Jackson types it, validated as draft 4 with `integer` meaning "written
   * as an integer". Returns a validationErrorString-like text on failure (it quotes the input, as the real one
   * does), undefined when the body passes.
   */
  private validate(model: Schema, text: string): string | undefined {
    let parsed: ReturnType<typeof parseWithLexemes>;
    try {
      parsed = parseWithLexemes(text);
    } catch (e) {
      return `[Invalid JSON: ${(e as Error).message} in "${text.slice(0, 80)}"]`;
    }
    let validate = this.validators.get(model);
    if (!validate) {
      validate = this.ajv.compile({
        $schema: 'http://json-schema.org/draft-04/schema#',
        ...(asApiGatewayTypes(model) as Schema),
      });
      this.validators.set(model, validate);
    }
    this.decimalNumbers = parsed.decimalNumbers;
    if (validate(parsed.value)) return undefined;
    return `[${(validate.errors ?? [])
      .map((e) => `instance "${e.instancePath}" ${e.message} (${JSON.stringify(e.params)})`)
      .join(', ')}]`;
  }
}

/** Query parameters as API Gateway's multi-value map, or null when there are none. */
function multiValue(query: URLSearchParams): Record<string, string[]> | null {
  const out: Record<string, string[]> = {};
  for (const [k, v] of query) out[k] = [...(out[k] ?? []), v];
  return Object.keys(out).length ? out : null;
}

/** `type: integer` → `type: number` + the lexeme-aware `apigwInteger` keyword, everywhere in a schema. */
function asApiGatewayTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(asApiGatewayTypes);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === 'enum' || k === 'required' ? v : asApiGatewayTypes(v);
  const types = Array.isArray(out.type)
    ? (out.type as string[])
    : typeof out.type === 'string'
      ? [out.type]
      : [];
  if (types.includes('integer')) {
    out.type = [...new Set(types.map((t) => (t === 'integer' ? 'number' : t)))];
    out.apigwInteger = true;
  }
  return out;
}
