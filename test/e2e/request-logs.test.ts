import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, exited, startChildServer } from '../helpers/child-server.js';
import { builtServer } from '../helpers/local-build.js';

/**
 * `npm start`'s request logs (infra/local/main.ts): quiet by default (POWERTOOLS_LOG_LEVEL=WARN: failures only), one
 * JSON line per write and per refused request at INFO. Each case starts the server as its own process.
 */
let server: ChildServer | undefined;
afterEach(async () => {
  if (server) {
    server.proc.kill('SIGKILL');
    await exited(server.proc);
    server = undefined;
  }
});

/**
 * Starts the server with a log level ('' = unset), sends a refused write and a refused read, answers what it logged:
 * its JSON lines once `lines` of them have arrived (up to 15 s: under load the pipe can lag), or after 500 ms when
 * none are expected.
 */
async function logsAt(level: string, lines = 0): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'accord-logs-'));
  server = await startChildServer(dir, { POWERTOOLS_LOG_LEVEL: level });
  let out = '';
  server.proc.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  server.proc.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const creds = JSON.parse(readFileSync(join(dir, 'dev-credentials.json'), 'utf8')) as {
    tokens: Record<string, { token: string }>;
  };
  const auth = { authorization: `Bearer ${creds.tokens['sla-manager']!.token}` };
  const write = await fetch(`${server.url}/v1/services`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(write.status).toBe(400);
  const read = await fetch(`${server.url}/v1/services/svc_nowhere`, { headers: auth });
  expect(read.status).toBe(404);
  // The log lines are JSON; the rest of the start-up banner is not.
  const json = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{') && l.endsWith('}'))
      .join('\n');
  // The lines are written before the answers leave, but reach this process through a pipe: wait for them.
  const deadline = Date.now() + (lines === 0 ? 500 : 15_000);
  while (
    Date.now() < deadline &&
    (lines === 0 ||
      json()
        .split('\n')
        .filter((l) => l.includes('"route"')).length < lines)
  )
    await new Promise((r) => setTimeout(r, 50));
  return json();
}

describe('request logs of npm start', () => {
  it('are quiet by default: no line for a refused write or a refused read', async () => {
    const out = await logsAt('');
    expect(out).toBe('');
  });

  it('log one JSON line per refused request at POWERTOOLS_LOG_LEVEL=INFO, naming the route, status and code', async () => {
    const out = await logsAt('INFO', 2);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      // Request lines only: a scheduled job (the minute's data-source pull) logs at INFO too when the minute turns.
      .filter((l) => l.route !== undefined);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'refused', route: 'services.create', status: 400 }),
      expect.objectContaining({ level: 'INFO', message: 'refused', route: 'services.get', status: 404 }),
    ]);
  });

  it('refuses an unknown level in one line naming the variable', async () => {
    const proc = spawn(process.execPath, [await builtServer(), '--port', '0'], {
      cwd: new URL('../../', import.meta.url).pathname,
      env: {
        ...process.env,
        POWERTOOLS_LOG_LEVEL: 'LOUD',
        ACCORD_DATA_DIR: mkdtempSync(join(tmpdir(), 'accord-')),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    proc.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((r) => proc.once('exit', r));
    expect(code).toBe(2);
    expect(err.trim()).toBe(
      'POWERTOOLS_LOG_LEVEL must be one of DEBUG, INFO, WARN, ERROR or SILENT, got "LOUD"',
    );
  });
});
