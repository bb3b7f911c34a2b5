import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compress } from 'snappyjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exited } from '../helpers/child-server.js';
import { builtServer } from '../helpers/local-build.js';
import { writeRequestBytes } from '../helpers/telemetry.js';

/**
 * `npm start` runs the build of infra/local/build.ts with plain node (no tsx). What broke the last time a build was
 * tried is what the bundle cannot find beside itself: the ASL files (read when the server composes its workflows),
 * the console's files, the PDF fonts, the protobuf descriptors. The server is started here from another working
 * directory, so nothing may be found relative to the current directory either.
 */
let proc: ReturnType<typeof spawn>;
let url = '';
let dataDir = '';
let token = '';
let apiKey = '';

beforeAll(async () => {
  const entry = await builtServer();
  dataDir = mkdtempSync(join(tmpdir(), 'accord-build-'));
  proc = spawn(process.execPath, [entry, '--data-dir', dataDir, '--port', '0'], {
    cwd: tmpdir(),
    env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /running on the embedded default at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`built server exited with ${code}: ${out}${err}`)));
  });
  const creds = JSON.parse(readFileSync(join(dataDir, 'dev-credentials.json'), 'utf8')) as {
    tokens: Record<string, { token: string }>;
    vendor: { apiKey: string };
  };
  token = creds.tokens.admin!.token;
  apiKey = creds.vendor.apiKey;
}, 120_000);

afterAll(async () => {
  proc.kill('SIGKILL');
  await exited(proc);
});

describe('the local server as npm start runs it (a build, plain node)', () => {
  it('starts without tsx: its workflows were composed from the ASL files found from the project root', () => {
    // The start would have failed reading infra/workflows/*.asl.json; the process must not have tsx loaded.
    const maps = readFileSync(`/proc/${proc.pid}/maps`, 'utf8');
    expect(maps).not.toMatch(/node_modules\/(tsx|esbuild)\//);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the console page, script and stylesheet built beside the bundle', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const script = await fetch(`${url}/console/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(10_000);
    const css = await fetch(`${url}/console/app.css`);
    expect(css.status).toBe(200);
  });

  it('renders a PDF report with the embedded fonts', async () => {
    const r = await fetch(`${url}/v1/reports/credit-statement?format=pdf`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(r.status).toBe(200);
    expect(
      Buffer.from(await r.arrayBuffer())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
  });

  it('decodes remote write with the bundled protobuf descriptor: a series of a service that does not exist is rejected per sample', async () => {
    const body = writeRequestBytes([
      {
        labels: { __name__: 'accord_sli_good_total', service: 'svc_nowhere', sli: 'availability' },
        samples: [{ value: 1, timestampMs: Date.now() - 60_000 }],
      },
    ]);
    const r = await fetch(`${url}/v1/telemetry`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
        'x-prometheus-remote-write-version': '0.1.0',
      },
      body: Buffer.from(compress(body)),
    });
    const answer = (await r.json()) as { submitted: number; accepted: number };
    expect(answer.submitted).toBe(1);
    expect(answer.accepted).toBe(0);
  });
});

describe('a --vendor-tiers file npm start cannot use (new user wave 39: a missing file or one that is not JSON ended the start with a Node stack trace)', () => {
  const start = async (file: string) => {
    const entry = await builtServer();
    const dir = mkdtempSync(join(tmpdir(), 'accord-tiers-'));
    return new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [entry, '--data-dir', dir, '--port', '0', '--vendor-tiers', file],
        { cwd: tmpdir(), timeout: 60_000 },
        (err, _stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr: String(stderr) }),
      );
    });
  };

  it('stops with one line naming the file when it does not exist, and when it is not JSON', async () => {
    const missing = join(tmpdir(), 'accord-no-such-tiers.json');
    const notJson = join(mkdtempSync(join(tmpdir(), 'accord-tiers-file-')), 'tiers.json');
    writeFileSync(notJson, 'standard: fast\n');
    for (const file of [missing, notJson]) {
      const r = await start(file);
      expect(r.code).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`--vendor-tiers ${file}`);
      expect(lines[0]).not.toMatch(/\bat \S+ \(/);
    }
  }, 120_000);
});
