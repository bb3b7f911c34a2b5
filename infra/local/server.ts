import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import {
  ForbiddenError,
  PayloadTooLargeError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../../shared/domain/errors.js';
import { type EdgeError, edgeBody, NO_SUCH_ROUTE } from '../../shared/http/edge-errors.js';
import { errorResponse } from '../../shared/http/errors.js';
import { attachRawBody } from '../../shared/http/raw-body.js';
import { ROUTES, type RouteSpec } from '../../shared/http/routes.js';
import type { TokenVerifier } from '../../shared/ports/tokens.js';
import { logger } from '../../shared/runtime/powertools.js';
import { importHandler } from './handlers.js';
import type { LocalTokenIssuer } from './jwt.js';
import { lambdaContext } from './lambda-context.js';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type VendorAuthorizer = (event: APIGatewayRequestAuthorizerEvent) => Promise<{
  context?: Record<string, unknown> | null;
  policyDocument?: { Statement: { Effect?: string }[] };
}>;

type PeopleAuthorizer = (
  event: Pick<APIGatewayRequestAuthorizerEvent, 'headers' | 'multiValueHeaders' | 'methodArn'>,
  verifier: TokenVerifier,
) => Promise<{ principalId: string; context?: Record<string, unknown> | null }>;

interface CompiledRoute {
  spec: RouteSpec;
  regex: RegExp;
  params: string[];
}

export interface LocalServerOptions {
  tokens: LocalTokenIssuer;
  /** Called after every request that may have written: delivers committed changes to the stream consumers. */
  afterWrite?: () => Promise<void>;
  /** Hook before a vendor request reaches its handler (rate limiting: the usage plan's job on AWS). */
  vendorGate?: (vendor: Record<string, unknown>, req: IncomingMessage) => void;
  /** Largest body read from the socket before answering 413, whatever the route (default: API Gateway's 10 MB). */
  hardBodyLimit?: number;
  /** What answers paths the API does not have before its 404 (the console); true when it answered. */
  site?: { serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> };
}

/** API Gateway's payload limit (REST APIs): larger requests get its REQUEST_TOO_LARGE answer. */
export const API_GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * The embedded default's API Gateway: matches the route table, authenticates as API Gateway's authorizers
 * would, turns the HTTP request into a REST (v1 proxy) event and calls the very handler Lambda runs.
 */
export class LocalApi {
  private readonly routes: CompiledRoute[];
  private readonly handlers = new Map<string, Promise<ProxyHandler>>();
  private vendorAuthorizer: Promise<VendorAuthorizer> | undefined;
  private peopleAuthorizer: Promise<PeopleAuthorizer> | undefined;
  server: Server | undefined;
  /** Responses not yet finished: what a graceful stop waits for. */
  private readonly active = new Set<ServerResponse>();
  private draining = false;
  private onDrained: (() => void) | undefined;

  constructor(private readonly options: LocalServerOptions) {
    this.routes = ROUTES.map((spec) => {
      const params: string[] = [];
      const pattern = spec.path.replace(/\{(\w+)\}/g, (_m, name: string) => {
        params.push(name);
        return '([^/]+)';
      });
      return { spec, regex: new RegExp(`^${pattern}$`), params };
    });
  }

  listen(port: number, host = '127.0.0.1'): Promise<Server> {
    const server = createServer((req, res) => {
      this.active.add(res);
      res.once('close', () => {
        this.active.delete(res);
        if (this.active.size === 0) this.onDrained?.();
      });
      // While draining, each answer tells its client to open a new connection (elsewhere) next time.
      if (this.draining) res.setHeader('Connection', 'close');
      this.handle(req, res).catch((err) => {
        // Last line of defence: nothing a request does may take the process down. What reaches it is a bug
        // (a 500 that no handler mapped), so it is logged with the request line, never silently answered.
        const r = errorResponse(err, 'local');
        if (r.unexpected)
          logger.error('request reached the last-resort handler', {
            method: req.method,
            path: (req.url ?? '').split('?')[0],
            error: err as Error,
          });
        if (!res.headersSent) res.writeHead(r.statusCode, r.headers as Record<string, string>);
        res.end(r.body);
      });
    });
    server.on('clientError', answerClientError);
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 120_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }

  /**
   * Graceful stop: stops accepting connections, closes idle keep-alive connections, lets the requests in flight
   * finish (each answered with `Connection: close`) for up to graceMs, then closes what is left.
   */
  async close(graceMs = 10_000): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    for (const res of this.active) if (!res.headersSent) res.setHeader('Connection', 'close');
    if (this.active.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          this.onDrained = resolve;
        }),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    server.closeAllConnections();
    await closed;
  }

  private handlerFor(spec: RouteSpec): Promise<ProxyHandler> {
    let h = this.handlers.get(spec.handler);
    if (!h) {
      h = importHandler<ProxyHandler>(spec.handler).then((m) => m.handler);
      this.handlers.set(spec.handler, h);
    }
    return h;
  }

  private match(method: string, path: string): { route?: CompiledRoute; params?: Record<string, string> } {
    for (const r of this.routes) {
      if (r.spec.method !== method) continue;
      const m = r.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = Object.create(null);
      r.params.forEach((p, i) => {
        try {
          params[p] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new ValidationError('malformed path', [
            { path: p, problem: 'is not valid percent-encoding' },
          ]);
        }
      });
      return { route: r, params };
    }
    return {};
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    let matched: ReturnType<LocalApi['match']>;
    try {
      matched = this.match(method, url.pathname);
    } catch (err) {
      const r = errorResponse(err, requestId);
      res.writeHead(r.statusCode, r.headers as Record<string, string>);
      res.end(r.body);
      req.resume();
      return;
    }
    const { route, params } = matched;
    const send = (r: APIGatewayProxyResult) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = String(v);
      res.writeHead(r.statusCode, headers);
      res.end(r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body);
    };
    if (!route && this.options.site && (await this.options.site.serve(req, res, url.pathname))) return;
    if (!route) {
      // API Gateway answers a path it does not have, and a method a path does not have, alike (its
      // MISSING_AUTHENTICATION_TOKEN, rendered as this 404): so does the embedded default.
      send({
        statusCode: NO_SUCH_ROUTE.status!,
        headers: { 'Content-Type': 'application/json' },
        body: edgeBody(NO_SUCH_ROUTE, requestId),
      });
      req.resume();
      return;
    }
    const spec = route.spec;
    let body: Buffer;
    try {
      // Only API Gateway's own payload limit is enforced here, before authentication, as on AWS; a route's
      // smaller limit is the handler's, after validation, where the Lambda checks it on AWS.
      body = await readBody(req, (this.options.hardBodyLimit ?? API_GATEWAY_MAX_BODY_BYTES) + 1);
    } catch (err) {
      send(errorResponse(err, requestId));
      return;
    }
    // Header and parameter names are the client's: maps without a prototype, so that a name such as
    // `constructor` or `__proto__` is a plain key and never reaches Object.prototype.
    const headers: Record<string, string> = Object.create(null);
    const multiHeaders: Record<string, string[]> = Object.create(null);
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i]!;
      const v = req.rawHeaders[i + 1]!;
      headers[k] = headers[k] === undefined ? v : `${headers[k]},${v}`;
      multiHeaders[k] = [...(multiHeaders[k] ?? []), v];
    }
    const query: Record<string, string> = Object.create(null);
    const multiQuery: Record<string, string[]> = Object.create(null);
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      multiQuery[k] = [...(multiQuery[k] ?? []), v];
    }
    const authorizer = await this.authorize(
      spec,
      headers,
      multiHeaders,
      query,
      requestId,
      method,
      url.pathname,
    );
    if ('statusCode' in authorizer) {
      send(authorizer as APIGatewayProxyResult);
      return;
    }
    if (spec.auth === 'vendor' && this.options.vendorGate) {
      try {
        this.options.vendorGate(authorizer, req);
      } catch (err) {
        send(errorResponse(err, requestId));
        return;
      }
    }
    const isText = isTextual(headers);
    const event: APIGatewayProxyEvent = {
      resource: spec.path,
      path: url.pathname,
      httpMethod: method,
      headers,
      multiValueHeaders: multiHeaders,
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: Object.keys(multiQuery).length ? multiQuery : null,
      pathParameters: params && Object.keys(params).length ? params : null,
      stageVariables: null,
      body: body.length === 0 || !isText ? null : body.toString('utf8'),
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        authorizer,
        httpMethod: method,
        identity: {
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? null,
        } as never,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        requestId,
        requestTimeEpoch: Date.now(),
        resourceId: spec.id,
        resourcePath: spec.path,
        stage: 'local',
      },
    };
    // A binary body goes to the handler as the bytes received (base64 only if something reads event.body).
    if (body.length > 0 && !isText) attachRawBody(event, body);
    const handler = await this.handlerFor(spec);
    const result = await handler(event, lambdaContext(spec.handler.replace('/', '-'), requestId));
    // Vendor routes (telemetry in) write no change-logged entity (agreements, services, exception windows,
    // vendors), so they skip the per-request stream pass; the app's one-second pump still delivers anything.
    if (method !== 'GET' && spec.auth !== 'vendor' && this.options.afterWrite)
      await this.options.afterWrite();
    send(result);
  }

  /** API Gateway's authorizer step: claims for people, the vendor authorizer's context for vendors. */
  private async authorize(
    spec: RouteSpec,
    headers: Record<string, string>,
    multiHeaders: Record<string, string[]>,
    query: Record<string, string>,
    requestId: string,
    method: string,
    path: string,
  ): Promise<Record<string, unknown> | APIGatewayProxyResult> {
    if (spec.auth === 'none') return {};
    if (spec.auth === 'user') {
      // The same authorizer that guards people's routes on AWS, with the local key as the token verifier.
      this.peopleAuthorizer ??= import('../../shared/http/people-auth.js').then((m) => m.authorizePerson);
      try {
        const result = await (await this.peopleAuthorizer)(
          {
            headers,
            multiValueHeaders: multiHeaders,
            methodArn: `arn:aws:execute-api:local:000000000000:local/local/${method}${path}`,
          },
          this.options.tokens.verifier,
        );
        return { ...(result.context ?? {}), principalId: result.principalId };
      } catch (err) {
        return errorResponse(err, requestId);
      }
    }
    this.vendorAuthorizer ??= import('../../functions/authorizers/vendor.js').then(
      (m) => m.handler as VendorAuthorizer,
    );
    let result: Awaited<ReturnType<VendorAuthorizer>>;
    try {
      result = await (await this.vendorAuthorizer)({
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:local:000000000000:local/local/${method}${path}`,
        resource: spec.path,
        path,
        httpMethod: method,
        headers,
        multiValueHeaders: {},
        pathParameters: null,
        queryStringParameters: Object.keys(query).length ? query : null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        requestContext: {} as never,
      });
    } catch (err) {
      // As API Gateway: an authorizer that throws "Unauthorized" is a 401; any other failure is its
      // AUTHORIZER_FAILURE (503), so a vendor retries instead of dropping samples as it would on a 401.
      if (!(err instanceof Error && err.message === 'Unauthorized')) {
        return errorResponse(new UnavailableError('the authorizer could not decide; retry'), requestId);
      }
      return errorResponse(
        new UnauthenticatedError('a valid vendor API key is required', [
          {
            path: 'Authorization',
            problem:
              'missing or unknown: send the key as Authorization: Bearer <key>, Basic credentials whose password is the key, DD-API-KEY or x-api-key',
          },
        ]),
        requestId,
      );
    }
    // ... and an explicit Deny with 403 (the Datadog paths' answer to a bad DD-API-KEY).
    if (result.policyDocument?.Statement.some((s) => s.Effect === 'Deny')) {
      return errorResponse(
        new ForbiddenError('the API key is not valid', [
          { path: 'DD-API-KEY', problem: 'is not a valid API key' },
        ]),
        requestId,
      );
    }
    return { ...(result.context ?? {}) };
  }
}

/**
 * What Node's HTTP parser refuses before any route sees the request (it otherwise answers a bare status with no
 * body): a method it does not know is the API's route miss (404 `no_such_route`, as API Gateway answers one),
 * headers over Node's 16 KB are 431, a request too slow to arrive is 408, anything else that is not HTTP is 400;
 * each in the API's error shape with a request id, and the connection closed.
 */
export function clientErrorAnswer(code: string | undefined): EdgeError & { status: number } {
  if (code === 'HPE_INVALID_METHOD') return { ...NO_SUCH_ROUTE, status: 404 };
  if (code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      code: 'headers_too_large',
      message: 'the request line and headers are too large',
      details: [{ path: '(headers)', problem: 'exceed 16 KB' }],
    };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return {
      status: 408,
      code: 'request_timeout',
      message: 'the request did not arrive in time',
      details: [{ path: '(request)', problem: 'was not complete within the server timeout' }],
    };
  return {
    status: 400,
    code: 'malformed_request',
    message: 'the request is not valid HTTP/1.1',
    details: [{ path: '(request)', problem: `was refused by the HTTP parser (${code ?? 'unknown'})` }],
  };
}

function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A client that went away, or a socket that can no longer be written, gets nothing (as Node itself does).
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const e = clientErrorAnswer(err.code);
  const body = edgeBody(e, randomUUID());
  socket.end(
    `HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function isTextual(headers: Record<string, string>): boolean {
  let type = '';
  let encoding = '';
  for (const [k, v] of Object.entries(headers)) {
    const l = k.toLowerCase();
    if (l === 'content-type') type = v.toLowerCase();
    if (l === 'content-encoding') encoding = v.toLowerCase();
  }
  if (encoding && encoding !== 'identity') return false;
  return type === '' || type.includes('json') || type.startsWith('text/');
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit - 1 && limit > 0) {
      req.resume();
      reject(
        new PayloadTooLargeError(`the body is ${declared} bytes; the limit is ${limit - 1}`, [
          { path: '(body)', problem: `exceeds ${limit - 1} bytes` },
        ]),
      );
      return;
    }
    const chunks: Buffer[] = [];
    // A declared length (within the limit): the body is copied into one buffer as it arrives, while the server waits
    // for the rest anyway, instead of joined after the last byte (the backfill bench's 9 chunks of 10 MB spent 0.1 to
    // 0.2 s of the server's busy time in that join, under load; backfill-5 round). Pages are touched as bytes arrive.
    const whole = declared > 0 ? Buffer.allocUnsafe(declared) : undefined;
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      const at = size;
      size += c.length;
      if (size >= limit) {
        failed = true;
        reject(
          new PayloadTooLargeError(`the body exceeds ${limit - 1} bytes`, [
            { path: '(body)', problem: `exceeds ${limit - 1} bytes` },
          ]),
        );
        return;
      }
      // Node's parser delivers exactly the declared length before 'end' (a longer or shorter body is an error).
      if (whole) c.copy(whole, at);
      else chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(whole ?? Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
