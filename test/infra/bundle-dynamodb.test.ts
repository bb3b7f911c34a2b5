import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNTIME_NODE_PATH } from '../../infra/aws/bundling.js';
import { DynamoAuditStore } from '../../shared/adapters/dynamodb/audit.js';
import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import { AWS_ENV } from '../../shared/runtime/config.js';
import { bundleHandler } from '../bench/coldstart.js';
import { readStream, useDynamoLocal } from '../helpers/dynamodb-local.js';
import { sampleEvent } from '../helpers/events.js';
import { service } from '../helpers/fixtures.js';
import { datesFromToday } from '../helpers/local-app.js';

const out = mkdtempSync(join(tmpdir(), 'accord-bundle-ddb-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));
const local = useDynamoLocal();

/**
 * Runs a built bundle's handler in a fresh Node process, configured as the stack configures it: the time left is
 * an API function's timeout (10 s, infra/aws/constructs/function.ts), which the handler's early timeout reads.
 */
function invoke(bundle: string, event: unknown, env: Record<string, string>): unknown {
  const probe = `require(process.argv[1]).handler(JSON.parse(process.argv[2]),{awsRequestId:'r',functionName:'f',getRemainingTimeInMillis:()=>10000}).then(r=>process.stdout.write(JSON.stringify(r)))`;
  return JSON.parse(
    execFileSync(process.execPath, ['-e', probe, bundle, JSON.stringify(event)], { env, encoding: 'utf8' }),
  );
}

describe('the deployable bundles against DynamoDB Local', () => {
  it('create an agreement through the bundled API handler, then audit it through the bundled stream consumer', async () => {
    const dl = local();
    const t = await dl.createTables();
    await new DynamoServiceStore(dl.doc, t.Data!).create(service());
    // Credentials come from the environment, as Lambda provides them (the bundles carry no other provider).
    const env = {
      PATH: process.env.PATH ?? '',
      NODE_PATH: RUNTIME_NODE_PATH,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dl.endpoint,
      ACCORD_RESIDENCY_REGION: 'eu-west-1',
      [AWS_ENV.dataTable]: t.Data!,
      [AWS_ENV.auditTable]: t.Audit!,
      [AWS_ENV.vendorKeysTable]: t.VendorKeys!,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    };
    const create = await bundleHandler('agreements/create', out);
    // The sample's dates are fixed and the handler reads the real clock, which refuses a backdated start, end or
    // review: the agreement is drafted from today instead.
    const event = sampleEvent('api/agreements-create');
    event.body = JSON.stringify({ ...JSON.parse(event.body!), ...datesFromToday() });
    const res = invoke(create, event, env) as {
      statusCode: number;
      body: string;
    };
    expect(res.statusCode, res.body).toBe(201);
    const id = (JSON.parse(res.body) as { id: string }).id;

    const consumer = await bundleHandler('audit/consumer', out);
    const records = await readStream(dl, t.Data!);
    expect(invoke(consumer, { Records: records }, env)).toEqual({ batchItemFailures: [] });
    const trail = await new DynamoAuditStore(dl.doc, t.Audit!).list('agreement', id, { limit: 10 });
    expect(trail.map((e) => [e.version, e.by])).toEqual([[1, '8f1c2d3e-0000-4000-8000-000000000001']]); // the token's sub
  });
});
