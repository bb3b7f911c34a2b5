import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RUNTIME_NODE_PATH } from '../../infra/aws/bundling.js';
import { bundleHandler } from '../bench/coldstart.js';

const out = mkdtempSync(join(tmpdir(), 'accord-people-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Runs the bundled authorizer in a fresh process as Lambda would; answers its result or the error message. */
function invoke(bundle: string, event: unknown): string {
  const probe = `require(process.argv[1]).handler(JSON.parse(process.argv[2])).then(r=>process.stdout.write(JSON.stringify(r)),e=>process.stdout.write('error: '+e.message))`;
  return execFileSync(process.execPath, ['-e', probe, bundle, JSON.stringify(event)], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_PATH: RUNTIME_NODE_PATH,
      AWS_REGION: 'eu-west-1',
      ACCORD_USER_POOL_ID: 'eu-west-1_Abc123',
      ACCORD_USER_POOL_CLIENT_ID: '5ab1cdeclient',
    },
    encoding: 'utf8',
  });
}

const event = (headers: Record<string, string>) => ({
  type: 'REQUEST',
  methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api1/live/GET/v1/agreements',
  headers,
  multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
});

describe('the people authorizer as deployed', () => {
  it('bundles with jose, loads with its Cognito settings, and answers Unauthorized without calling Cognito for a missing, doubled or malformed token', async () => {
    const bundle = await bundleHandler('authorizers/people', out);
    expect(statSync(bundle).size).toBeLessThan(300 * 1024);
    expect(invoke(bundle, event({}))).toBe('error: Unauthorized');
    expect(invoke(bundle, event({ Authorization: 'Bearer a.b.c', authorization: 'Bearer a.b.c' }))).toBe(
      'error: Unauthorized',
    );
    expect(invoke(bundle, event({ Authorization: 'Bearer not+base64url.x.y' }))).toBe('error: Unauthorized');
  });
});
