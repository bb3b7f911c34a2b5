import { simpleParser } from 'mailparser';
import type { OutboxEmailSender } from '../../shared/adapters/fs/outbox.js';
import type { TestApp } from './local-app.js';

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
