import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { afterAll, describe, expect, it } from 'vitest';
import { exited } from '../../helpers/child-server.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'accord-crash-'));
const clockFile = join(dir, 'clock');
const setClock = (iso: string) => writeFileSync(clockFile, String(Date.parse(iso)));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  proc: ChildProcess;
  url: string;
  seeded: Promise<void>;
}

function start(mode: 'seed' | 'serve'): Promise<Child> {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/workflows/crash-child.ts', dir, mode],
    {
      cwd: ROOT,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ACCORD_TEST_CLOCK_FILE: clockFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let seededResolve!: () => void;
  const seeded = new Promise<void>((r) => {
    seededResolve = r;
  });
  return new Promise((resolve, reject) => {
    proc.stderr!.on('data', (c: Buffer) => {
      out += c.toString();
    });
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening (http:\/\/\S+)/.exec(out);
      if (m) resolve({ proc, url: m[1]!, seeded });
      if (out.includes('seeded')) seededResolve();
    });
    proc.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}): ${out}`)));
  });
}

const kill = async (c: Child) => {
  c.proc.kill('SIGKILL');
  await exited(c.proc);
};

const db = () => new Database(join(dir, 'accord.db'), { readonly: true, fileMustExist: true });
function statuses(): Record<string, number> {
  const d = db();
  try {
    const rows = d
      .prepare('SELECT workflow, status, count(*) AS n FROM wf_execution GROUP BY workflow, status')
      .all() as { workflow: string; status: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [`${r.workflow}:${r.status}`, r.n]));
  } finally {
    d.close();
  }
}
async function until(what: string, ok: () => boolean, timeoutMs = 120_000): Promise<void> {
  const t0 = Date.now();
  while (!ok()) {
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(statuses())}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const token = (name: string) =>
  (
    JSON.parse(readFileSync(join(dir, 'dev-credentials.json'), 'utf8')) as {
      tokens: Record<string, { token: string }>;
    }
  ).tokens[name]!.token;
async function call(
  c: Child,
  method: string,
  path: string,
  as: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${c.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token(as)}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('a crash while 100 approvals and 100 remediations wait', () => {
  it('resumes every execution after SIGKILL and restart, and sends each notification exactly once', {
    timeout: 600_000,
  }, async () => {
    setClock('2026-03-02T09:00:00.000Z');
    // 1. Seed, and kill the process the moment the 200 executions have been started (mid-flight).
    let c = await start('seed');
    await c.seeded;
    await kill(c);
    // 2. Restart: every execution a crash left running is resumed until it waits.
    c = await start('serve');
    await until('every execution waiting', () => {
      const s = statuses();
      return (s['approval:waiting'] ?? 0) === 100 && (s['remediation:waiting'] ?? 0) === 100;
    });
    // 3. Half the agreements get their first sign-off, and the process is killed again straight after.
    const agreements = (await call(c, 'GET', '/v1/agreements?status=submitted&limit=200', 'auditor')).body
      .items as { id: string; version: number }[];
    expect(agreements).toHaveLength(100);
    for (const a of agreements.slice(0, 50)) {
      const r = await call(
        c,
        'POST',
        `/v1/agreements/${a.id}/signoffs`,
        'service-owner',
        { capacity: 'service-owner', decision: 'approved', reason: 'fine' },
        { 'if-match': `"${a.version}"` },
      );
      expect(r.status).toBe(200);
    }
    await kill(c);
    // 4. Restart two days later: the hourly heartbeats due meanwhile fire, and the reminders 24 h before the 72 h
    //    deadline of a tier-2 SLA go out, one per sign-off still open (50 + 2 × 50); then every sign-off and RCA.
    setClock('2026-03-04T10:00:00.000Z');
    c = await start('serve');
    await until('the reminders queued', () => {
      const d = db();
      try {
        return (
          (
            d
              .prepare(
                `SELECT count(*) AS n FROM notification WHERE topic LIKE 'agreement:%' AND body LIKE '%approval.reminder%'`,
              )
              .get() as { n: number }
          ).n === 150
        );
      } finally {
        d.close();
      }
    });
    for (const a of agreements) {
      let cur = (await call(c, 'GET', `/v1/agreements/${a.id}`, 'auditor')).body;
      for (const [as, capacity] of [
        ['service-owner', 'service-owner'],
        ['approver-business', 'business-owner'],
      ] as const) {
        if (cur.signOffs.some((s: { capacity: string }) => s.capacity === capacity)) continue;
        const r = await call(
          c,
          'POST',
          `/v1/agreements/${a.id}/signoffs`,
          as,
          { capacity, decision: 'approved', reason: 'fine' },
          { 'if-match': `"${cur.version}"` },
        );
        expect(r.status, JSON.stringify(r.body)).toBe(200);
        cur = r.body;
      }
    }
    const rcas = (await call(c, 'GET', '/v1/tasks?kind=rca&view=all&limit=200', 'auditor')).body.items as {
      id: string;
    }[];
    expect(rcas).toHaveLength(100);
    for (const t of rcas) {
      const r = await call(c, 'POST', `/v1/tasks/${t.id}/complete`, 'service-owner', {
        reason: 'analysed',
        rca: {
          timeline: [{ at: '2026-03-02T08:00:00Z', event: 'errors' }],
          rootCause: 'the target cannot be met on one region',
          conclusion: 'target-unrealistic',
        },
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
    }
    await until('every remediation closed', () => (statuses()['remediation:succeeded'] ?? 0) === 100);
    // 5. The effective date comes: every approval activates.
    setClock('2026-03-05T00:30:00.000Z');
    await until('every approval done', () => (statuses()['approval:succeeded'] ?? 0) === 100);
    await until('the outbox delivered', () => {
      const d = db();
      try {
        return (
          (d.prepare(`SELECT count(*) AS n FROM notification WHERE status <> 'sent'`).get() as { n: number })
            .n === 0
        );
      } finally {
        d.close();
      }
    });
    expect(statuses()).toEqual({ 'approval:succeeded': 100, 'remediation:succeeded': 100 });
    const activated = (await call(c, 'GET', '/v1/agreements?status=active&limit=200', 'auditor')).body.items;
    expect(activated).toHaveLength(100);
    await kill(c);

    // Each notification exactly once: one .eml per notification record, and one per cause.
    const d = db();
    const sent = (
      d.prepare(`SELECT count(*) AS n FROM notification WHERE status = 'sent'`).get() as { n: number }
    ).n;
    d.close();
    const files = readdirSync(join(dir, 'outbox')).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(sent);
    const subjects = await Promise.all(
      files.map(async (f) => (await simpleParser(readFileSync(join(dir, 'outbox', f)))).subject ?? ''),
    );
    const count = (p: RegExp) => subjects.filter((s) => p.test(s)).length;
    expect(count(/^Sign-off requested: Crash test SLA/)).toBe(200);
    expect(count(/^RCA requested/)).toBe(100);
    expect(count(/^Change request: the target/)).toBe(100);
    expect(count(/^Remediation closed/)).toBe(100);
    expect(count(/^Approval activated: Crash test SLA/)).toBe(100);
    expect(count(/^Reminder: sign-off due in 24 h: Crash test SLA/)).toBe(150);
    const requested = subjects.filter((s) => s.startsWith('Sign-off requested: Crash test SLA'));
    expect(new Set(requested).size).toBe(200);
  });
});
