import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const out = mkdtempSync(join(tmpdir(), 'accord-synth-'));
let stdout = '';

// The real `cdk synth` of cdk.json with every function bundled by esbuild: offline, no credentials. One region
// keeps the gate fast (the bundles are the same in every region); stack.test.ts builds every region of cdk.json.
const REGION = 'eu-west-1';
beforeAll(async () => {
  const env = {
    ...process.env,
    CDK_DISABLE_VERSION_CHECK: '1',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
  };
  const r = await run(
    'npx',
    ['cdk', 'synth', '--no-notices', '--quiet', '-c', `regions=${REGION}`, '-o', out],
    {
      env,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  stdout = r.stdout + r.stderr;
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

const assetDirs = () =>
  readdirSync(out)
    .filter((d) => d.startsWith('asset.') && statSync(join(out, d)).isDirectory())
    .map((d) => join(out, d));

describe('npm run synth', () => {
  it('synthesizes the app offline with no credentials', () => {
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string }>;
    };
    const stacks = Object.entries(manifest.artifacts)
      .filter(([, a]) => a.type === 'aws:cloudformation:stack')
      .map(([k]) => k);
    expect(stacks).toEqual([`Accord-${REGION}`]);
    expect(stdout).not.toMatch(/AwsSolutions-|Serverless-/);
  });

  it('bundles every function minified with a source map, and nothing of the embedded default', () => {
    const bundles = assetDirs().filter((d) => readdirSync(d).includes('index.js'));
    expect(bundles.length).toBeGreaterThan(10);
    for (const d of bundles) {
      expect(readdirSync(d)).toContain('index.js.map');
      const code = readFileSync(join(d, 'index.js'), 'utf8');
      // Minified: long lines (template literals keep a few newlines).
      expect(code.length / code.split('\n').length, d).toBeGreaterThan(1000);
      expect(code, d).not.toMatch(/better-sqlite3|infra\/local/);
    }
  });
});
