import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';
import { isAllowed, type Principal, roleProblem } from '../domain/access/policy.js';
import {
  ForbiddenError,
  PayloadTooLargeError,
  PreconditionRequiredError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors.js';
import { parseJsonStrict } from '../domain/strict-json.js';
import { TOKEN_POLICY } from '../policy/tokens.js';
import { type Container, getContainer } from '../runtime/container.js';
import { observe } from '../runtime/observe.js';
import { logger } from '../runtime/powertools.js';
import { AgreementId, ServiceId } from '../schemas/common.js';
import { errorResponse, zodProblems } from './errors.js';
import { bearerFrom, principalFrom } from './principal.js';
import { rawBodyOf } from './raw-body.js';
import type { HttpResult } from './respond.js';
import { type RouteSpec, routeById } from './routes.js';

export interface HttpRequest<B, Q> {
  body: B;
  query: Q;
  params: Record<string, string>;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** The version named by If-Match, for routes that need it. */
  ifMatch: number;
  principal: Principal;
  /** The undecoded body, for routes that take binary formats. */
  rawBody: Buffer;
  requestId: string;
  /**
   * Where this API is mounted as the client sees it: `/live` on the execute-api domain, a custom domain's base
   * path (or `''`), `''` on the embedded default. Links the API hands out (Location, OpenAPI servers) start here.
   */
  basePath: string;
  deps: Container;
}

export interface HandlerSpec<B, Q> {
  route: string;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  /** Skip JSON parsing: the use case reads rawBody itself (binary formats). */
  raw?: boolean;
  run: (req: HttpRequest<B, Q>) => Promise<HttpResult>;
}

const DEFAULT_MAX_BODY = 256 * 1024;

export function lowerHeaders(h: APIGatewayProxyEvent['headers'] | null | undefined): Record<string, string> {
  // Header names are the client's: no prototype, so `constructor` or `__proto__` is an ordinary key.
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/**
 * The mount point of the API from the request itself: the client's full path (`requestContext.path`, which
 * carries the stage or a custom domain's base path) less the route's own segments (as many as the resource
 * template has). `''` when the event does not say (the root).
 */
export function basePathOf(event: Pick<APIGatewayProxyEvent, 'resource' | 'requestContext'>): string {
  const ctx = event.requestContext;
  const full = ctx?.path;
  let prefix = '';
  if (full && event.resource) {
    const own = event.resource.split('/').filter(Boolean).length;
    const segments = full.split('/').filter(Boolean);
    if (segments.length >= own) prefix = segments.slice(0, segments.length - own).join('/');
  }
  // On the execute-api domain the stage is always in the URL, whatever requestContext.path says.
  if (!prefix && ctx?.stage && ctx.domainName?.includes('.execute-api.')) prefix = ctx.stage;
  return prefix ? `/${prefix}` : '';
}

/** If-Match: "3" (strong), W/"3" is accepted too. */
export function parseIfMatch(value: string | undefined): number {
  if (value === undefined || value.trim() === '') {
    throw new PreconditionRequiredError('this write needs If-Match with the ETag you read', [
      { path: 'If-Match', problem: 'header is required: send the ETag of the version you are changing' },
    ]);
  }
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value.trim());
  if (!m)
    throw new ValidationError('bad If-Match', [
      { path: 'If-Match', problem: `"${value}" is not an ETag issued by this API` },
    ]);
  return Number(m[1]);
}

function parseBody(
  route: RouteSpec,
  headers: Record<string, string>,
  raw: Buffer,
  schema: z.ZodType | undefined,
): unknown {
  if (!schema) return undefined;
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (raw.length === 0) {
    const r = schema.safeParse({});
    if (r.success) return r.data;
    throw new ValidationError('a JSON body is required', [{ path: '(body)', problem: 'is missing' }]);
  }
  // No Content-Type is read as JSON, as API Gateway does when it picks the request model.
  if (type !== '' && type !== 'application/json' && !type.endsWith('+json')) {
    throw new UnsupportedMediaTypeError(`${route.method} ${route.path} takes application/json`, [
      { path: 'Content-Type', problem: `"${type || '(none)'}" is not application/json` },
    ]);
  }
  // A body over the route's limit is parsed too (validation comes first, as on API Gateway); one that only nests
  // is refused without parsing, since JSON.parse spends seconds on megabytes of brackets and no schema nests deep.
  if (raw.length > (route.maxBodyBytes ?? DEFAULT_MAX_BODY) && nestingExceeds(raw, MAX_NESTING)) {
    throw new ValidationError('the body does not match the schema', [
      { path: '(body)', problem: `nests deeper than ${MAX_NESTING} levels` },
    ]);
  }
  // Malformed JSON and a key repeated within one object are both a 400 naming where.
  const json = parseJsonStrict(raw.toString('utf8'));
  const r = schema.safeParse(json);
  if (!r.success) throw new ValidationError('the body does not match the schema', zodProblems(r.error));
  return r.data;
}

const MAX_NESTING = 256;

/** Whether JSON text nests arrays and objects deeper than `limit` (strings skipped): one pass over the bytes. */
export function nestingExceeds(raw: Buffer, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Ids in the path are checked before any store sees them: a malformed or oversized one is a 400 naming it. */
const PARAM_FORMATS: Record<string, z.ZodType<string>> = {
  agreementId: AgreementId,
  serviceId: ServiceId,
  version: z.string().regex(/^[1-9]\d{0,8}$/, 'must be a positive integer'),
};
const ANY_ID = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'must be 1-128 letters, digits or _ . : -');

function parseParams(raw: APIGatewayProxyEvent['pathParameters']): Record<string, string> {
  const params: Record<string, string> = Object.create(null);
  const problems: { path: string; problem: string }[] = [];
  for (const [name, value] of Object.entries(raw ?? {})) {
    const r = (Object.hasOwn(PARAM_FORMATS, name) ? PARAM_FORMATS[name]! : ANY_ID).safeParse(value);
    if (r.success) params[name] = r.data;
    else problems.push({ path: name, problem: r.error.issues[0]?.message ?? 'is malformed' });
  }
  if (problems.length) throw new ValidationError('malformed path', problems);
  return params;
}

function parseQuery(event: APIGatewayProxyEvent, schema: z.ZodType | undefined): unknown {
  const multi = event.multiValueQueryStringParameters ?? {};
  const single = event.queryStringParameters ?? {};
  const problems = Object.entries(multi)
    .filter(([, v]) => (v?.length ?? 0) > 1)
    .map(([k]) => ({ path: `query.${k}`, problem: 'is given more than once' }));
  if (problems.length) throw new ValidationError('repeated query parameters', problems);
  if (!schema) {
    const keys = Object.keys(single);
    if (keys.length)
      throw new ValidationError(
        'unknown query parameters',
        keys.map((k) => ({ path: `query.${k}`, problem: 'is not a known parameter' })),
      );
    return {};
  }
  const r = schema.safeParse({ ...single });
  if (!r.success) throw new ValidationError('bad query parameters', zodProblems(r.error, 'query'));
  return r.data;
}

/**
 * Checks the authorizer's answer cannot have been cached past what it vouched for: a request carrying two
 * Authorization headers is refused whatever a cached decision says, and so is a token expired since.
 */
function refuseAmbiguousOrExpired(event: APIGatewayProxyEvent, principal: Principal): void {
  const found = bearerFrom(event.headers, event.multiValueHeaders);
  if ('problem' in found) {
    throw new UnauthenticatedError('the Authorization header is malformed', [
      { path: 'Authorization', problem: `header ${found.problem}` },
    ]);
  }
  const exp = principal.expiresAt;
  if (exp !== undefined && (exp + TOKEN_POLICY.clockToleranceSeconds) * 1000 <= Date.now()) {
    throw new UnauthenticatedError('the bearer token is invalid or expired', [
      { path: 'Authorization', problem: 'token has expired' },
    ]);
  }
}

/**
 * The one way an HTTP handler is built: authenticate, authorise by the route's action, parse with zod,
 * call one use case, map the result; errors become HTTP in errorResponse only.
 */
export function httpHandler<B = undefined, Q = Record<string, never>>(spec: HandlerSpec<B, Q>) {
  const route = routeById(spec.route);
  const answer = async (event: APIGatewayProxyEvent, _context: Context): Promise<APIGatewayProxyResult> => {
    const requestId = event.requestContext?.requestId ?? 'local';
    const headers = lowerHeaders(event.headers);
    const correlationId = headers['x-correlation-id'] ?? requestId;
    logger.setCorrelationId(correlationId);
    const baseHeaders = { 'X-Request-Id': requestId, 'X-Correlation-Id': correlationId };
    try {
      // The order is API Gateway's, so both deployments answer a request with several faults alike: the
      // authorizer (401), then validation (the gateway's request models, then zod here: 415/400), then what
      // only the function knows: the route's size limit (413), the role (403), If-Match (428).
      let principal: Principal | undefined;
      if (route.auth !== 'none') {
        principal = principalFrom(event);
        if (!principal)
          throw new UnauthenticatedError('a valid bearer token is required', [
            { path: 'Authorization', problem: 'is missing or invalid' },
          ]);
        if (route.auth === 'user') refuseAmbiguousOrExpired(event, principal);
      }
      const raw =
        rawBodyOf(event) ??
        (event.body == null
          ? Buffer.alloc(0)
          : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8'));
      const params = parseParams(event.pathParameters);
      const body = spec.raw ? undefined : parseBody(route, headers, raw, spec.body);
      const query = parseQuery(event, spec.query);
      const max = route.maxBodyBytes ?? DEFAULT_MAX_BODY;
      if (raw.length > max) {
        throw new PayloadTooLargeError(`the body is ${raw.length} bytes; the limit is ${max}`, [
          { path: '(body)', problem: `exceeds ${max} bytes` },
        ]);
      }
      if (principal && route.action && !isAllowed(principal, route.action)) {
        throw new ForbiddenError(
          `your roles (${principal.roles.join(', ') || 'none'}) do not allow ${route.action}`,
          [roleProblem(principal, route.action)],
        );
      }
      const ifMatch = route.ifMatch ? parseIfMatch(headers['if-match']) : 0;
      const deps = await getContainer();
      const result = await spec.run({
        body: body as B,
        query: query as Q,
        params,
        headers,
        ifMatch,
        principal: principal ?? {
          subject: 'anonymous',
          roles: [],
          businessUnits: [],
          services: [],
          signOffCapacities: [],
        },
        rawBody: raw,
        requestId,
        basePath: basePathOf(event),
        deps,
      });
      if (route.method !== 'GET')
        logger.info('request', { route: route.id, status: result.status, subject: principal?.subject });
      return {
        statusCode: result.status,
        headers: {
          ...(result.body !== undefined || result.rawBody !== undefined
            ? { 'Content-Type': 'application/json' }
            : {}),
          ...baseHeaders,
          ...result.headers,
        },
        body: result.rawBody ?? (result.body === undefined ? '' : JSON.stringify(result.body)),
        ...(result.isBase64Encoded ? { isBase64Encoded: true } : {}),
      };
    } catch (err) {
      const { unexpected, ...res } = errorResponse(err, requestId, baseHeaders);
      if (unexpected) logger.error('unhandled error', { route: route.id, error: err as Error });
      else
        logger.info('refused', {
          route: route.id,
          status: res.statusCode,
          code: JSON.parse(res.body).error.code,
        });
      return res;
    }
  };
  // Every answer counts in GET /metrics (route, method, status, latency).
  const core = async (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> => {
    const t0 = performance.now();
    const res = await answer(event, context);
    observe.request(route.id, route.method, res.statusCode, (performance.now() - t0) / 1000);
    return res;
  };
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(core);
}
