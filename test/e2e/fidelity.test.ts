import type { CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../infra/aws/build.js';
import { handlerExists } from '../../infra/aws/constructs/function.js';
import { DEV_IDENTITIES } from '../../infra/local/credentials.js';
import { lambdaContext } from '../../infra/local/lambda-context.js';
import { VendorRateLimiter } from '../../infra/local/rate-limit.js';
import { type Action, PERMISSIONS, type Role } from '../../shared/domain/access/policy.js';
import { GATEWAY_RESPONSES } from '../../shared/http/edge-errors.js';
import { errorResponse } from '../../shared/http/errors.js';
import { ROUTES, routeById } from '../../shared/http/routes.js';
import { setContainer } from '../../shared/runtime/container.js';
import { setTokenVerifier } from '../../shared/runtime/tokens.js';
import {
  ApiGatewayEmulator,
  type EmulatedResponse,
  policyAllows,
  type RequestAuthorizer,
} from '../helpers/apigw-emulator.js';
import { corpusFor, type FidelityCase } from '../helpers/fidelity-corpus.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';
import { datesFromToday, startTestApp, type TestApp } from '../helpers/local-app.js';
import {
  BODY_ROUTES,
  QUERY_ROUTES,
  routesWithoutExample,
  routesWithoutQueryExample,
} from '../helpers/route-examples.js';

/**
 * One API, two deployments. Every route of the table gets a corpus of requests (valid and invalid bodies
 * generated from its schema, missing and forged credentials, a role without the action, media types, route
 * misses, CORS preflights), sent alike to the embedded default over HTTP and to API Gateway as the synthesized
 * CloudFormation template configures it (test/helpers/apigw-emulator.ts), whose Lambda integration runs the
 * very handler module. Both must answer with the same status, and every error with a parseable body of the
 * API error shape and the same code.
 *
 * The two deployments keep separate data (each its own SQLite, credentials and signing key); the handlers find
 * their backend through the process-wide container, set before each request. Requests are sequential.
 */

const ErrorBody = z.strictObject({
  error: z.looseObject({
    code: z.string().min(1),
    message: z.string().min(1),
    details: z.array(z.strictObject({ path: z.string(), problem: z.string() })),
  }),
  requestId: z.string().min(1),
});

interface Side {
  name: 'local' | 'aws';
  app: TestApp;
  agreementId: string;
}

let local: Side;
let aws: Side;
let emulator: ApiGatewayEmulator;

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const handlers = new Map<string, Promise<ProxyHandler>>();
const handlerOf = (module: string) => {
  let h = handlers.get(module);
  if (!h) {
    h = import(new URL(`../../functions/${module}.ts`, import.meta.url).href).then(
      (m) => m.handler as ProxyHandler,
    );
    handlers.set(module, h);
  }
  return h;
};

/** A development identity whose roles lack the action, if there is one. */
function forbiddenIdentity(action: Action): string | undefined {
  return DEV_IDENTITIES.find((d) => d.groups.every((g) => !PERMISSIONS[g as Role]?.actions.includes(action)))
    ?.name;
}
/** A development identity allowed the action over everything the fixtures hold. */
function allowedIdentity(action: Action): string {
  const admin = PERMISSIONS.admin.actions.includes(action);
  if (admin) return 'admin';
  return DEV_IDENTITIES.find((d) => d.groups.some((g) => PERMISSIONS[g as Role]?.actions.includes(action)))!
    .name;
}

function headersFor(side: Side, c: FidelityCase): Record<string, string> {
  const h: Record<string, string> = { ...(c.headers ?? {}) };
  const tokens = side.app.credentials.tokens;
  if (c.as === 'allowed') h.Authorization = `Bearer ${tokens[allowedIdentity(c.action!)]!.token}`;
  if (c.as === 'forbidden') h.Authorization = `Bearer ${tokens[forbiddenIdentity(c.action!)!]!.token}`;
  if (c.as === 'forged') h.Authorization = 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJldmUifQ.';
  if (c.as === 'vendor') h['x-api-key'] = side.app.credentials.vendor.apiKey;
  if (c.ifMatch !== undefined) h['If-Match'] = c.ifMatch;
  if (c.body !== undefined && c.contentType !== null) h['Content-Type'] = c.contentType ?? 'application/json';
  return h;
}

function pathFor(side: Side, template: string): string {
  return template
    .replace('{agreementId}', side.agreementId)
    .replace('{serviceId}', 'svc_payments-gateway')
    .replace('{version}', '1')
    .replace('{objectiveId}', 'availability')
    .replace(/\{(\w+)\}/g, (_m, p: string) => `${p.replace(/Id$/, '').slice(0, 3)}_unknown`);
}

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

async function onLocal(c: FidelityCase): Promise<Answer> {
  setContainer(local.app.container);
  const url = `${local.app.url}${pathFor(local, c.path)}${c.query ? `?${c.query}` : ''}`;
  const res = await fetch(url, {
    method: c.method,
    headers: headersFor(local, c),
    // A Buffer, so that fetch adds no Content-Type of its own.
    ...(c.body !== undefined ? { body: Buffer.from(c.body) } : {}),
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return { status: res.status, headers, text: await res.text() };
}

async function onAws(c: FidelityCase): Promise<Answer> {
  setContainer(aws.app.container);
  const r: EmulatedResponse = await emulator.handle({
    method: c.method,
    path: `/${emulator.stage}${pathFor(aws, c.path)}`,
    ...(c.query ? { query: c.query } : {}),
    headers: headersFor(aws, c),
    ...(c.body !== undefined ? { body: Buffer.from(c.body) } : {}),
  });
  // The DynamoDB stream's part, as the local server does after each write.
  if (c.method !== 'GET') await aws.app.stream.drain();
  setContainer(local.app.container);
  return {
    status: r.status,
    headers: Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v])),
    text: r.body,
  };
}

/** Both answers to one case, and the assertions that they agree. */
async function compare(c: FidelityCase): Promise<{ local: Answer; aws: Answer }> {
  const l = await onLocal(c);
  const a = await onAws(c);
  const what = `${c.method} ${c.path} — ${c.name}\n local ${l.status} ${l.text.slice(0, 400)}\n aws   ${a.status} ${a.text.slice(0, 400)}`;
  expect(a.status, what).toBe(l.status);
  if (typeof c.expect === 'object') expect(l.status, what).not.toBe(c.expect.not);
  else if (c.expect !== undefined) expect(l.status, what).toBe(c.expect);
  for (const ans of [l, a]) {
    expect(ans.headers['access-control-allow-origin'], what).toBeUndefined();
    if (ans.status >= 400) {
      // Parseable, in the documented shape, whoever answered.
      const parsed = ErrorBody.safeParse(JSON.parse(ans.text));
      expect(parsed.success, `${what}\n${parsed.error?.message}`).toBe(true);
    }
    if (ans.status === 429) expect(Number(ans.headers['retry-after']), what).toBeGreaterThan(0);
    if (ans.status === 401) expect(ans.headers['www-authenticate'], what).toBe('Bearer');
  }
  if (l.status >= 400) expect(JSON.parse(a.text).error.code, what).toBe(JSON.parse(l.text).error.code);
  if (l.status === 201 && l.headers.location) {
    // The same resource, under each deployment's own mount point.
    expect(l.headers.location, what).toMatch(/^\/v1\//);
    expect(a.headers.location, what).toMatch(/^\/live\/v1\//);
  }
  return { local: l, aws: a };
}

beforeAll(async () => {
  // The template only: no bundling, no cdk-nag, no built-in CloudFormation validation (test/infra/stack.test.ts
  // runs the packs on the same app, test/infra/synth.test.ts the real `cdk synth` with its validation).
  const { stacks } = buildApp({
    context: { regions: ['eu-west-1'] },
    appProps: { context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false },
    checks: false,
  });
  const template = Template.fromStack(stacks[0]!).toJSON() as ConstructorParameters<
    typeof ApiGatewayEmulator
  >[0];
  const localApp = await startTestApp();
  const awsApp = await startTestApp();
  // API Gateway's authorizers are the deployed Lambdas: the very handler modules, each found by the logical id
  // of the function its Authorizer resource invokes. The people authorizer verifies tokens with the AWS side's
  // own signing key, where on AWS it reads Cognito's JWKS.
  setTokenVerifier(awsApp.tokens.verifier);
  const stack = stacks[0]!;
  const logicalId = (f: { fn: { node: { defaultChild?: unknown } } }) =>
    stack.getLogicalId(f.fn.node.defaultChild as CfnElement);
  const authorizerHandler = async (module: string): Promise<RequestAuthorizer> =>
    (await import(new URL(`../../functions/${module}.ts`, import.meta.url).href))
      .handler as RequestAuthorizer;
  emulator = new ApiGatewayEmulator(template, {
    authorizers: {
      [logicalId(stack.api.peopleAuthorizerFn)]: await authorizerHandler('authorizers/people'),
      [logicalId(stack.api.authorizerFn)]: await authorizerHandler('authorizers/vendor'),
    },
    invoke: async (operation, event) =>
      (await handlerOf(routeById(operation).handler))(
        event,
        lambdaContext(operation, event.requestContext.requestId),
      ),
  });
  local = { name: 'local', app: localApp, agreementId: '' };
  aws = { name: 'aws', app: awsApp, agreementId: '' };
  // The same fixtures on both: a service and a draft agreement (each side's agreement has its own id).
  for (const [side, run] of [
    [local, onLocal],
    [aws, onAws],
  ] as const) {
    const s = await run({
      name: 'fixture service',
      method: 'POST',
      path: '/v1/services',
      as: 'allowed',
      action: 'service.create',
      body: JSON.stringify(serviceBody()),
    });
    expect(s.status, s.text).toBe(201);
    const a = await run({
      name: 'fixture agreement',
      method: 'POST',
      path: '/v1/agreements',
      as: 'allowed',
      action: 'agreement.create',
      body: JSON.stringify(agreementBody(datesFromToday())),
    });
    expect(a.status, a.text).toBe(201);
    side.agreementId = JSON.parse(a.text).id;
  }
}, 180_000);

afterAll(async () => {
  await local?.app.close();
  await aws?.app.close();
});

describe('the emulated API Gateway is the synthesized one', () => {
  it('has one method per deployed route, so the corpus below reaches every route on AWS', () => {
    const deployed = ROUTES.filter((r) => handlerExists(r.handler));
    expect(
      emulator.operations.map((m) => `${m.httpMethod} ${m.resourcePath} ${m.operationName}`).sort(),
    ).toEqual(deployed.map((r) => `${r.method} ${r.path} ${r.id}`).sort());
  });

  it('has an example body for every route that takes one (new routes are covered or this fails)', () => {
    expect(BODY_ROUTES.length).toBeGreaterThan(10);
    expect(routesWithoutExample()).toEqual([]);
  });

  it('evaluates an authorizer policy against the request as API Gateway does: a matching Deny wins, no matching Allow denies', () => {
    const arn = 'arn:aws:execute-api:eu-west-1:123456789012:emulated/live/GET/v1/agreements/agr_1';
    const policy = (...st: { Effect: 'Allow' | 'Deny'; Resource: string }[]) => ({
      principalId: 'p',
      policyDocument: {
        Version: '2012-10-17',
        Statement: st.map((x) => ({ Action: 'execute-api:Invoke', ...x })),
      },
    });
    const stage = 'arn:aws:execute-api:eu-west-1:123456789012:emulated/live/*';
    expect(policyAllows(policy({ Effect: 'Allow', Resource: stage }), arn)).toBe(true);
    // A decision cached from another method does not cover this one.
    expect(
      policyAllows(policy({ Effect: 'Allow', Resource: `${stage.slice(0, -1)}POST/v1/agreements` }), arn),
    ).toBe(false);
    expect(
      policyAllows(policy({ Effect: 'Allow', Resource: stage }, { Effect: 'Deny', Resource: arn }), arn),
    ).toBe(false);
    expect(policyAllows(policy(), arn)).toBe(false);
  });

  it('has an example query for every route with a required query parameter (validation comes before the role)', () => {
    expect(QUERY_ROUTES.length).toBeGreaterThan(0);
    expect(routesWithoutQueryExample()).toEqual([]);
  });
});

describe('gateway responses stay JSON in the API error shape, whatever the $context values hold', () => {
  const hostile = [
    '[object has missing required properties (["reason"])]',
    'instance value ("x\\"}, {\\"y\\": 1") not found in enum',
    '"}]}, "requestId": "forged',
    'line one\nline two\ttab \u0000 nul \u2028 separator',
    "it's \\ a backslash and 'single quotes'",
    '$context.requestId $' + '{injection} #if($x)',
    '</script><script>alert(1)</script>',
    'ünïcödé 😀 ../../var/log',
  ];
  for (const type of Object.keys(GATEWAY_RESPONSES)) {
    it(`${type}`, () => {
      for (const s of hostile) {
        const r = emulator.render(type, {
          requestId: 'c0ffee00-0000-4000-8000-000000000000',
          message: s,
          validationErrorString: s,
        });
        const body = ErrorBody.parse(JSON.parse(r.body));
        expect(body.requestId).toBe('c0ffee00-0000-4000-8000-000000000000');
        expect(body.error.code).toBe(GATEWAY_RESPONSES[type]!.code);
        expect(r.body).not.toContain(s);
        if (GATEWAY_RESPONSES[type]!.status) expect(r.status).toBe(GATEWAY_RESPONSES[type]!.status);
      }
    });
  }
});

describe('429s carry Retry-After on both deployments', () => {
  it('the usage plan’s throttle: the same status, code and Retry-After as the local limiter', () => {
    // The clock stands still: the trial bucket (10) empties and stays empty.
    const limiter = new VendorRateLimiter(undefined, () => 0);
    let local429: ReturnType<typeof errorResponse> | undefined;
    for (let i = 0; i < 1000 && !local429; i++) {
      try {
        limiter.take('v', 'trial');
      } catch (e) {
        local429 = errorResponse(e, 'r');
      }
    }
    const gw = emulator.render('THROTTLED', {
      requestId: 'r',
      message: 'Too Many Requests',
      validationErrorString: '',
    });
    expect(local429!.statusCode).toBe(429);
    expect(gw.status).toBe(429);
    expect(gw.headers['Retry-After']).toBe(local429!.headers?.['Retry-After']);
    expect(JSON.parse(gw.body).error.code).toBe(JSON.parse(local429!.body).error.code);
  });

  it('the quota: 429 quota_exceeded with Retry-After on both (exact locally, an hour on API Gateway)', () => {
    const limiter = new VendorRateLimiter(
      { version: 1, tiers: { trial: { rateLimit: 5, burstLimit: 10, quota: { limit: 1, period: 'DAY' } } } },
      () => 0,
      () => Date.parse('2026-03-10T12:00:00Z'),
    );
    limiter.take('v', 'trial');
    let local429: ReturnType<typeof errorResponse> | undefined;
    try {
      limiter.take('v', 'trial');
    } catch (e) {
      local429 = errorResponse(e, 'r');
    }
    const gw = emulator.render('QUOTA_EXCEEDED', {
      requestId: 'r',
      message: 'Limit Exceeded',
      validationErrorString: '',
    });
    expect([local429!.statusCode, gw.status]).toEqual([429, 429]);
    expect(JSON.parse(local429!.body).error.code).toBe('quota_exceeded');
    expect(JSON.parse(gw.body).error.code).toBe('quota_exceeded');
    expect(local429!.headers?.['Retry-After']).toBe('43200');
    expect(gw.headers['Retry-After']).toBe('3600');
  });
});

describe('client URLs are right on each deployment', () => {
  it('serves OpenAPI with the server the client reached: / locally, the stage on AWS', async () => {
    const c: FidelityCase = { name: 'openapi', method: 'GET', path: '/openapi.json', as: 'anonymous' };
    const { local: l, aws: a } = await compare(c);
    expect(JSON.parse(l.text).servers).toEqual([{ url: '/' }]);
    expect(JSON.parse(a.text).servers).toEqual([{ url: '/live' }]);
  });

  it('answers a create with a Location under the stage on AWS and at the root locally', async () => {
    const c: FidelityCase = {
      name: 'create for Location',
      method: 'POST',
      path: '/v1/services',
      as: 'allowed',
      action: 'service.create',
      body: JSON.stringify(serviceBody({ id: 'svc_location-check' })),
    };
    const { local: l, aws: a } = await compare(c);
    expect(l.headers.location).toBe('/v1/services/svc_location-check');
    expect(a.headers.location).toBe('/live/v1/services/svc_location-check');
  });
});

describe('every route answers alike on both deployments', () => {
  for (const route of ROUTES.filter((r) => handlerExists(r.handler))) {
    it(`${route.method} ${route.path}`, async () => {
      const cases = corpusFor(route, (a) => forbiddenIdentity(a) !== undefined);
      expect(cases.length).toBeGreaterThan(3);
      for (const c of cases) await compare(c);
    }, 120_000);
  }
});
