/**
 * Cold start per Lambda function: the size of its minified bundle (built with the exact esbuild options the CDK
 * stack uses) and its module initialisation time, the median over fresh Node processes that require the built
 * bundle (what Lambda does in its init phase, without the runtime's own start-up).
 * Beside it, the first request a fresh process answers, SDK load included: for the health route, and for
 * `GET /v1/agreements/{id}` answered from DynamoDB (DynamoDB Local, the stack's tables, through the AWS SDK the
 * runtime provides), so the SDK's client construction, credential and endpoint resolution and first connection
 * are in the figure.
 * Targets: bundle ≤ 300 KB, init ≤ 60 ms.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE, bundleDefine, featuresOf, RUNTIME_NODE_PATH } from '../../infra/aws/bundling.js';
import { handlerEntry, handlerExists, handlerId } from '../../infra/aws/constructs/function.js';
import { DynamoAgreementStore } from '../../shared/adapters/dynamodb/agreements.js';
import { DATA_TABLE } from '../../shared/adapters/dynamodb/tables.js';
import { ROUTES } from '../../shared/http/routes.js';
import { SCHEDULES } from '../../shared/schedules.js';
import { type DynamoLocal, startDynamoLocal } from '../helpers/dynamodb-local.js';
import { agreementVersion } from '../helpers/fixtures.js';
import type { BenchEntry } from './report.js';

const RUNS = 7;
export const TARGET = { bundleKb: 300, initMs: 60 } as const;

/** Every Lambda handler module the stack deploys: routes, the vendor authorizer, the audit consumer, schedules. */
export function lambdaHandlers(): string[] {
  const all = [
    ...ROUTES.map((r) => r.handler),
    'authorizers/vendor',
    'audit/consumer',
    ...SCHEDULES.map((s) => s.handler),
  ];
  return [...new Set(all)].filter(handlerExists);
}

const actionsOf = (handler: string) =>
  ROUTES.filter((r) => r.handler === handler).flatMap((r) => (r.action ? [r.action] : []));

/** Bundles one handler as NodejsFunction does; fails if local-only code is reachable from it. */
export async function bundleHandler(handler: string, outdir: string): Promise<string> {
  const outfile = join(outdir, handlerId(handler), 'index.js');
  const result = await build({
    entryPoints: [handlerEntry(handler)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: BUNDLE.target,
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    sourcesContent: BUNDLE.sourcesContent,
    mainFields: [...BUNDLE.mainFields],
    alias: BUNDLE.alias,
    define: bundleDefine(featuresOf(handler, actionsOf(handler))),
    external: [...BUNDLE.externalModules],
    metafile: true,
    outfile,
    logLevel: 'silent',
  });
  const forbidden = Object.keys(result.metafile.inputs).filter((i) => BUNDLE.forbidden.test(i));
  if (forbidden.length) throw new Error(`${handler} bundles local-only code: ${forbidden.join(', ')}`);
  // The esbuild metafile beside the bundle (meta.json): what went in and how many bytes each input left.
  writeFileSync(join(dirname(outfile), 'meta.json'), JSON.stringify(result.metafile));
  return outfile;
}

const INIT_PROBE =
  'const t=performance.now();require(process.argv[1]);process.stdout.write(String(performance.now()-t))';

const FIRST_PROBE =
  "const t=performance.now();require(process.argv[1]).handler({httpMethod:'GET',path:'/health',resource:'/health',headers:{},body:null,isBase64Encoded:false,requestContext:{requestId:'r'}},{awsRequestId:'r',functionName:'f',getRemainingTimeInMillis:()=>3000}).then(r=>{if(r.statusCode!==200)throw new Error(r.body);process.stdout.write(String(performance.now()-t))})";

/** GET /v1/agreements/{id} as API Gateway sends it, with a Cognito caller in the agreement's business unit. */
const DYNAMO_PROBE = (id: string) =>
  `const t=performance.now();require(process.argv[1]).handler(${JSON.stringify({
    httpMethod: 'GET',
    path: `/v1/agreements/${id}`,
    resource: '/v1/agreements/{agreementId}',
    pathParameters: { agreementId: id },
    headers: {},
    body: null,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'r',
      authorizer: {
        claims: {
          sub: 'bench',
          email: 'bench@bank.example',
          'cognito:groups': 'auditor',
          'custom:business_units': 'payments',
        },
      },
    },
  })},{awsRequestId:'r',functionName:'f',getRemainingTimeInMillis:()=>3000}).then(r=>{if(r.statusCode!==200)throw new Error(r.statusCode+' '+r.body);process.stdout.write(String(performance.now()-t))})`;

/** Median of a probe's reported milliseconds, each run in a fresh Node process with Lambda's NODE_OPTIONS. */
function medianProbeMs(probe: string, bundle: string, env: Record<string, string>, runs: number): number {
  const base = {
    PATH: process.env.PATH ?? '',
    NODE_PATH: RUNTIME_NODE_PATH,
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'eu-west-1',
  };
  const times = Array.from({ length: runs }, () =>
    Number(
      execFileSync(process.execPath, ['-e', probe, bundle], { env: { ...base, ...env }, encoding: 'utf8' }),
    ),
  ).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Median module-initialisation time of a bundle. */
export function initMs(bundle: string, runs = RUNS): number {
  return medianProbeMs(INIT_PROBE, bundle, { AWS_LAMBDA_FUNCTION_NAME: 'bench' }, runs);
}

/** Median time from loading a bundle to its first response: init, the composition root with its SDK, one request. */
export function firstRequestMs(bundle: string, runs = RUNS): number {
  return medianProbeMs(
    FIRST_PROBE,
    bundle,
    {
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      ACCORD_DATA_TABLE: 'd',
      ACCORD_AUDIT_TABLE: 'a',
      ACCORD_VENDOR_KEYS_TABLE: 'v',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    runs,
  );
}

/** Median time to the first response of GET /v1/agreements/{id} read from DynamoDB Local, in fresh processes. */
export async function firstDynamoRequestMs(bundle: string, dl: DynamoLocal, runs = RUNS): Promise<number> {
  const t = await dl.createTables();
  const a = agreementVersion({ businessUnit: 'payments' });
  await new DynamoAgreementStore(dl.doc, t[DATA_TABLE.id]!).create(a);
  return medianProbeMs(
    DYNAMO_PROBE(a.id),
    bundle,
    {
      // DynamoDB Local keeps one database per access key and region: the key the tables were created with.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // The SDK's own setting for a service endpoint: the bundle's code is the deployed code, unchanged.
      AWS_ENDPOINT_URL_DYNAMODB: dl.endpoint,
      ACCORD_DATA_TABLE: t.Data!,
      ACCORD_AUDIT_TABLE: t.Audit!,
      ACCORD_VENDOR_KEYS_TABLE: t.VendorKeys!,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
    runs,
  );
}

export async function benchColdStart(): Promise<BenchEntry[]> {
  const out = mkdtempSync(join(tmpdir(), 'accord-coldstart-'));
  const entries: BenchEntry[] = [];
  const misses: string[] = [];
  const dl = await startDynamoLocal();
  try {
    for (const handler of lambdaHandlers()) {
      const name = handler.replace(/\//g, '.');
      const file = await bundleHandler(handler, out);
      const kb = statSync(file).size / 1024;
      const ms = initMs(file);
      entries.push({ name: `bundle.${name}.kb`, value: kb, unit: 'KB' });
      entries.push({ name: `init.${name}.ms`, value: ms, unit: 'ms' });
      // The SDK loads from the runtime when the container is first built, on the first request: measure that
      // too, on the health route (its container is the full AWS composition root), so it is not hidden.
      if (handler === 'meta/health') {
        entries.push({ name: 'first_request.meta.health.ms', value: firstRequestMs(file), unit: 'ms' });
      }
      if (handler === 'agreements/get') {
        entries.push({
          name: 'first_request.agreements.get.dynamodb.ms',
          value: await firstDynamoRequestMs(file, dl),
          unit: 'ms (init, SDK load, one GetItem on DynamoDB Local)',
        });
      }
      if (kb > TARGET.bundleKb) misses.push(`bundle.${name} ${kb.toFixed(0)} KB > ${TARGET.bundleKb}`);
      if (ms > TARGET.initMs) misses.push(`init.${name} ${ms.toFixed(1)} ms > ${TARGET.initMs}`);
    }
  } finally {
    await dl.stop();
    rmSync(out, { recursive: true, force: true });
  }
  const kbs = entries.filter((e) => e.unit === 'KB').map((e) => e.value);
  const mss = entries.filter((e) => e.name.startsWith('init.')).map((e) => e.value);
  entries.push({
    name: 'bundle.max.kb',
    value: Math.max(...kbs),
    unit: 'KB',
    target: { op: '<=', limit: TARGET.bundleKb },
  });
  entries.push({
    name: 'init.max.ms',
    value: Math.max(...mss),
    unit: 'ms',
    target: { op: '<=', limit: TARGET.initMs },
  });
  if (misses.length) console.log(`cold-start targets missed:\n  ${misses.join('\n  ')}`);
  return entries;
}
