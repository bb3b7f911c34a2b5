import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import {
  PayloadTooLargeError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
} from '../../shared/domain/errors.js';
import { edgeBody, NO_SUCH_ROUTE } from '../../shared/http/edge-errors.js';
import { errorResponse } from '../../shared/http/errors.js';
import { ROUTES, type RouteSpec } from '../../shared/http/routes.js';
import type { LocalTokenIssuer } from './jwt.js';
import { lambdaContext } from './lambda-context.js';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type VendorAuthorizer = (
  event: APIGatewayRequestAuthorizerEvent,
) => Promise<{ context?: Record<string, unknown> | null }>;

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
}

const FUNCTIONS_DIR = new URL('../../functions/', import.meta.url);
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
  server: Server | undefined;

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
      this.handle(req, res).catch((err) => {
        // Last line of defence: nothing a request does may take the process down.
        const r = errorResponse(err, 'local');
        if (!res.headersSent) res.writeHead(r.statusCode, r.headers as Record<string, string>);
        res.end(r.body);
      });
    });
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.requestTimeout = 120_000;
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private handlerFor(spec: RouteSpec): Promise<ProxyHandler> {
    let h = this.handlers.get(spec.handler);
    if (!h) {
      h = import(new URL(`${spec.handler}.ts`, FUNCTIONS_DIR).href).then((m) => m.handler as ProxyHandler);
      this.handlers.set(spec.handler, h);
    }
    return h;
  }

  private match(method: string, path: string): { route?: CompiledRoute; params?: Record<string, string> } {
    for (const r of this.routes) {
      if (r.spec.method !== method) continue;
      const m = r.regex.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
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
    const headers: Record<string, string> = {};
    const multiHeaders: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const k = req.rawHeaders[i]!;
      const v = req.rawHeaders[i + 1]!;
      headers[k] = headers[k] === undefined ? v : `${headers[k]},${v}`;
      multiHeaders[k] = [...(multiHeaders[k] ?? []), v];
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) {
      query[k] = v;
      multiQuery[k] = [...(multiQuery[k] ?? []), v];
    }
    const authorizer = await this.authorize(spec, headers, requestId, method, url.pathname);
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
      body: body.length === 0 ? null : isText ? body.toString('utf8') : body.toString('base64'),
      isBase64Encoded: body.length > 0 && !isText,
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
    const handler = await this.handlerFor(spec);
    const result = await handler(event, lambdaContext(spec.handler.replace('/', '-'), requestId));
    if (method !== 'GET' && this.options.afterWrite) await this.options.afterWrite();
    send(result);
  }

  /** API Gateway's authorizer step: claims for people, the vendor authorizer's context for vendors. */
  private async authorize(
    spec: RouteSpec,
    headers: Record<string, string>,
    requestId: string,
    method: string,
    path: string,
  ): Promise<Record<string, unknown> | APIGatewayProxyResult> {
    if (spec.auth === 'none') return {};
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    if (spec.auth === 'user') {
      const m = /^Bearer\s+(\S+)$/i.exec(lower.authorization ?? '');
      const claims = m ? this.options.tokens.verify(m[1]!) : undefined;
      if (!claims) {
        return errorResponse(
          new UnauthenticatedError(
            m ? 'the bearer token is invalid or expired' : 'a bearer token is required',
            [{ path: 'Authorization', problem: m ? 'token is invalid or expired' : 'header is missing' }],
          ),
          requestId,
        );
      }
      const stringClaims = Object.fromEntries(
        Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v)]),
      );
      return { claims: stringClaims };
    }
    this.vendorAuthorizer ??= import('../../functions/authorizers/vendor.js').then(
      (m) => m.handler as VendorAuthorizer,
    );
    try {
      const result = await (await this.vendorAuthorizer)({
        type: 'REQUEST',
        methodArn: `arn:aws:execute-api:local:000000000000:local/local/${method}${path}`,
        resource: spec.path,
        path,
        httpMethod: method,
        headers,
        multiValueHeaders: {},
        pathParameters: null,
        queryStringParameters: null,
        multiValueQueryStringParameters: null,
        stageVariables: null,
        requestContext: {} as never,
      });
      return { ...(result.context ?? {}) };
    } catch (err) {
      // As API Gateway: an authorizer that throws "Unauthorized" is a 401; any other failure is its
      // AUTHORIZER_FAILURE (503), so a vendor retries instead of dropping samples as it would on a 401.
      if (!(err instanceof Error && err.message === 'Unauthorized')) {
        return errorResponse(new UnavailableError('the authorizer could not decide; retry'), requestId);
      }
      return errorResponse(
        new UnauthenticatedError('a valid vendor API key is required', [
          { path: 'x-api-key', problem: 'header is missing or unknown' },
        ]),
        requestId,
      );
    }
  }
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
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
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
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}
