import { simpleParser } from 'mailparser';
import { expect } from 'vitest';
import type { OutboxEmailSender } from '../../shared/adapters/fs/outbox.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { BUCKET_MS, type RollupDelta } from '../../shared/ports/rollups.js';
import { serviceBody } from './fixtures.js';
import { startTestApp, type TestApp } from './local-app.js';

/** A clock tests move by hand: the workflows' timers fire when `advance` passes them. */
export class TestClock {
  constructor(public ms: number) {}
  now = () => new Date(this.ms);
  set(iso: string): void {
    this.ms = Date.parse(iso);
  }
}

/** Moves the clock, fires what fell due, lets the executions replay, and delivers queued notifications. */
export async function advance(app: TestApp, clock: TestClock, ms: number): Promise<void> {
  clock.ms += ms;
  await settle(app);
}

export async function settle(app: TestApp): Promise<void> {
  await app.workflows.engine.tick();
  await app.workflows.engine.idle();
  await app.workflows.services.notifications.dispatch();
}

export interface OutboxMail {
  file: string;
  subject: string;
  to: string[];
  cc: string[];
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
}

/** The e-mails in the embedded default's outbox, parsed back with mailparser. */
export async function outbox(app: TestApp): Promise<OutboxMail[]> {
  const sender = app.workflows.email as OutboxEmailSender;
  return Promise.all(
    sender.list().map(async ({ file, raw }) => {
      const m = await simpleParser(raw);
      const addrs = (x: typeof m.to) =>
        (Array.isArray(x) ? x : x ? [x] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
      return {
        file,
        subject: m.subject ?? '',
        to: addrs(m.to),
        cc: addrs(m.cc),
        text: m.text ?? '',
        html: typeof m.html === 'string' ? m.html : '',
        messageId: m.messageId ?? '',
        headers: m.headers as Map<string, unknown>,
      };
    }),
  );
}

/** The development identity that signs each sign-off capacity (infra/local's seeded people). */
export const SIGNER: Record<string, string> = {
  'service-owner': 'service-owner',
  'business-owner': 'approver-business',
  legal: 'approver-legal',
  procurement: 'approver-procurement',
  'governance-board': 'approver-board',
  finance: 'approver-finance',
};

/**
 * The workflow tests' server: the embedded default on a hand-moved clock (plus `env`), with the tier-2 payments
 * gateway registered (serviceBody({ tier: 2 })) by the SLA manager.
 */
export async function startWorkflowApp(clock: TestClock, env: Record<string, string> = {}): Promise<TestApp> {
  const app = await startTestApp(env, { clock });
  const svc = await app.call('POST', '/v1/services', { as: 'sla-manager', body: serviceBody({ tier: 2 }) });
  expect(svc.status, JSON.stringify(svc.body)).toBe(201);
  return app;
}

/**
 * Takes a draft agreement live as its people would: submits it at `version` (If-Match), signs every capacity the
 * submission requires as that capacity's signer (SIGNER), then activates it; each step must answer 200. Does not
 * settle the workflows (callers that need the approval execution finished call `settle`). Returns the active version.
 */
export async function approveAndActivate(app: TestApp, id: string, version = 1): Promise<number> {
  const step = (path: string, v: number, as: string, b: object) =>
    app.call('POST', `/v1/agreements/${id}/${path}`, { as, body: b, headers: { 'if-match': `"${v}"` } });
  let r = await step('submit', version, 'sla-manager', { reason: 'ready' });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  let v = r.body.version as number;
  for (const { capacity } of r.body.requiredSignOffs as { capacity: string }[]) {
    r = await step('signoffs', v, SIGNER[capacity]!, { capacity, decision: 'approved', reason: 'fine' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    v = r.body.version;
  }
  r = await step('activate', v, 'sla-manager', { reason: 'go-live' });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.version as number;
}

/**
 * Writes two days of rollups ending at `end` (ms) for `sliKey` at 0.5% errors, as ingestion would: 995 good of 1000
 * per bucket (BUCKET_MS), enough to spend a 99.9% objective's error budget (0.1%) and breach it.
 */
export async function burnErrorBudget(
  app: TestApp,
  end: number,
  sliKey = 'svc_payments-gateway/availability',
): Promise<void> {
  const deltas: RollupDelta[] = [];
  for (let t = end - 2 * 86_400_000; t < end; t += BUCKET_MS)
    deltas.push({ sliKey, bucketStart: t, good: 995, total: 1000, count: 0, sum: 0, min: 0, max: 0 });
  await new SqliteRollupStore(app.db).add(deltas);
}
