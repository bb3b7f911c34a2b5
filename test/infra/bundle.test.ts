import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNTIME_NODE_PATH } from '../../infra/aws/bundling.js';
import { bundleHandler } from '../bench/coldstart.js';

const out = mkdtempSync(join(tmpdir(), 'accord-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Invokes a built bundle's handler in a fresh Node process with Lambda-like environment; returns its result. */
function invoke(bundle: string, event: unknown): { statusCode: number; body: string } {
  const probe = `require(process.argv[1]).handler(JSON.parse(process.argv[2]),{awsRequestId:'r',functionName:'f',getRemainingTimeInMillis:()=>3000}).then(r=>process.stdout.write(JSON.stringify(r)))`;
  const env = {
    PATH: process.env.PATH ?? '',
    NODE_PATH: RUNTIME_NODE_PATH,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
    ACCORD_DATA_TABLE: 'd',
    ACCORD_AUDIT_TABLE: 'a',
    ACCORD_VENDOR_KEYS_TABLE: 'v',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  return JSON.parse(
    execFileSync(process.execPath, ['-e', probe, bundle, JSON.stringify(event)], { env, encoding: 'utf8' }),
  );
}

const get = (path: string) => ({
  httpMethod: 'GET',
  path,
  resource: path,
  headers: {},
  body: null,
  isBase64Encoded: false,
  requestContext: { requestId: 'r' },
});

describe('Lambda bundles (the deployed esbuild options: the zod alias, the runtime SDK on NODE_PATH)', () => {
  it('run a handler end to end: configuration, container, zod schemas and response', async () => {
    const bundle = await bundleHandler('meta/health', out);
    const res = invoke(bundle, get('/health'));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok' });
  });

  it('generate the OpenAPI document from the zod schemas inside a bundle', async () => {
    const bundle = await bundleHandler('meta/openapi', out);
    const res = invoke(bundle, get('/openapi.json'));
    expect(res.statusCode).toBe(200);
    const doc = JSON.parse(res.body) as { openapi: string; paths: object };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toContain('/v1/agreements');
    expect(statSync(bundle).size).toBeGreaterThan(0);
  });

  it('load the report handler (pdfkit, fonts, the S3 client) in a bundle and answer before touching data', async () => {
    const bundle = await bundleHandler('reports/get', out);
    const res = invoke(bundle, {
      ...get('/v1/reports/monthly-compliance'),
      resource: '/v1/reports/{reportType}',
    });
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).error.code).toBe('unauthenticated');
  });
});

/** The inputs of a built bundle and the bytes each left in it (esbuild's metafile, written beside the bundle). */
function inputsOf(bundle: string): Record<string, number> {
  const meta = JSON.parse(readFileSync(join(dirname(bundle), 'meta.json'), 'utf8')) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const out = Object.entries(meta.outputs).find(([f]) => f.endsWith('.js'))![1];
  return Object.fromEntries(Object.entries(out.inputs).map(([f, v]) => [f, v.bytesInOutput]));
}

describe('Lambda bundles hold what their function imports', () => {
  it('leave nodemailer out of every function but the notification dispatcher', async () => {
    const hasMailer = (inputs: Record<string, number>) =>
      Object.keys(inputs).some((f) => f.includes('node_modules/nodemailer/'));
    for (const handler of ['telemetry/ingest', 'telemetry/otlp-metrics', 'meta/health']) {
      const bundle = await bundleHandler(handler, out);
      expect(hasMailer(inputsOf(bundle)), handler).toBe(false);
    }
    expect(hasMailer(inputsOf(await bundleHandler('workflows/dispatch-notifications', out)))).toBe(true);
  });

  it("leave the workflow use cases and the CMDB sync (csv-parse) out of telemetry's functions, and keep workflows where an agreement can start one", async () => {
    const has = (inputs: Record<string, number>, part: string) =>
      Object.keys(inputs).some((f) => f.includes(part));
    for (const handler of ['telemetry/ingest', 'telemetry/otlp-metrics', 'telemetry/datadog-series']) {
      const inputs = inputsOf(await bundleHandler(handler, out));
      expect(has(inputs, 'shared/usecases/workflows/'), handler).toBe(false);
      expect(has(inputs, 'shared/usecases/cmdb.ts'), handler).toBe(false);
    }
    // Submitting an agreement starts its approval workflow: the agreements' functions compose the workflows.
    const submit = inputsOf(await bundleHandler('agreements/submit', out));
    expect(has(submit, 'shared/usecases/workflows/')).toBe(true);
    expect(has(inputsOf(await bundleHandler('ecosystem/cmdb-sync', out)), 'shared/usecases/cmdb.ts')).toBe(
      true,
    );
  });
});
