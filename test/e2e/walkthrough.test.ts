import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../../infra/local/demo.js';
import { startTestApp, type TestApp } from '../helpers/local-app.js';

/**
 * docs/walkthrough.sh (the README's curl walk-through) run with bash, curl and jq against a started local server:
 * twice on a fresh database, twice on the demo portfolio, and once against a server that refuses it.
 */
const SCRIPT = join(import.meta.dirname, '../../docs/walkthrough.sh');

/** Runs the script with bash (asynchronously: the server answers from this same process). */
function walk(
  app: TestApp,
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT], {
      env: {
        PATH: process.env.PATH ?? '',
        BASE: app.url,
        CREDS: join(app.dir, 'dev-credentials.json'),
        TMPDIR: app.dir,
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const activeAgreement = (stdout: string) => /walkthrough: done \((agr_\w+) is active\)/.exec(stdout)?.[1];

describe('docs/walkthrough.sh', () => {
  let fresh: TestApp;
  let demo: TestApp;
  beforeAll(async () => {
    fresh = await startTestApp();
    demo = await startTestApp();
    await loadDemo(demo.container, demo.stream);
  });
  afterAll(async () => {
    await fresh?.close();
    await demo?.close();
  });

  it('runs to the end twice in a row on the same fresh database, each run activating its own agreement', async () => {
    const first = await walk(fresh);
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const second = await walk(fresh);
    expect(second.stderr).toBe('');
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('already registered');
    const ids = [activeAgreement(first.stdout), activeAgreement(second.stdout)];
    expect(ids[0]).toBeDefined();
    expect(ids[1]).toBeDefined();
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) {
      const a = await fresh.call('GET', `/v1/agreements/${id}`, { as: 'auditor' });
      expect(a.body.status).toBe('active');
    }
    // Step 4's refusal is the API's own words.
    expect(first.stdout).toMatch(/# 4\. [^\n]*\n[^\n]*sign-off/i);
  });

  it('runs twice on the demo portfolio, where the service is tier 1 and asks for more sign-offs', async () => {
    for (let i = 0; i < 2; i++) {
      const run = await walk(demo);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('already registered');
      const id = activeAgreement(run.stdout)!;
      const a = await demo.call('GET', `/v1/agreements/${id}`, { as: 'auditor' });
      expect(a.body.status).toBe('active');
      expect(a.body.signOffs.length).toBe(a.body.requiredSignOffs.length);
    }
  });

  it('says which step failed and why, in one line, when the API refuses a step', async () => {
    const creds = join(fresh.dir, 'bad-credentials.json');
    writeFileSync(
      creds,
      JSON.stringify({ tokens: { 'sla-manager': { token: 'not-a-token' }, auditor: { token: 'x' } } }),
    );
    const run = await walk(fresh, { CREDS: creds, SERVICE: 'svc_walkthrough-refused' });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^walkthrough: step 1 \(register the service\) failed: POST \/v1\/services answered 401, not 201: .+/,
    );
  });

  it('says the server is not there when nothing answers', async () => {
    const run = await walk(fresh, { BASE: 'http://127.0.0.1:9' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^walkthrough: step 1 \(register the service\) failed: .*no answer from http:\/\/127\.0\.0\.1:9/,
    );
  });
});
