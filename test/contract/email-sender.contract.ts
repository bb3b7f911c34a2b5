import { simpleParser } from 'mailparser';
import { beforeEach, describe, expect, it } from 'vitest';
import { composeEmail } from '../../shared/adapters/mail/compose.js';
import type { EmailMessage, EmailSender } from '../../shared/ports/notifier.js';

/** What reached the other side: the bytes as delivered and the envelope recipients. */
export interface Delivered {
  raw: Buffer;
  to: string[];
}

export interface EmailHarness {
  sender: EmailSender;
  delivered(): Promise<Delivered[]>;
  close?(): Promise<void>;
}

const message = (id: string, over: Partial<EmailMessage> = {}): EmailMessage => ({
  id,
  from: { name: 'Accord', email: 'accord@accord.local' },
  to: [{ name: 'Lena Legal', email: 'legal@accord.local' }],
  cc: [{ email: 'watchers@accord.local' }],
  subject: 'Sign-off requested: Card authorisation SLA — légal',
  text: 'Please sign off.\n\nYour task: http://localhost:3000/v1/tasks/tsk_1',
  html: '<p>Please sign off.</p><p><a href="http://localhost:3000/v1/tasks/tsk_1">Your task</a></p>',
  date: '2026-03-02T09:30:00.000Z',
  headers: { 'X-Accord-Task': 'tsk_1' },
  ...over,
});

/** One suite for every EmailSender: what it delivers parses back to the message that was composed. */
export function emailSenderContract(name: string, make: () => Promise<EmailHarness>): void {
  describe(`EmailSender contract: ${name}`, () => {
    let h: EmailHarness;
    beforeEach(async () => {
      h = await make();
      return () => h.close?.();
    });

    it('delivers the composed message to every envelope recipient, parsed back with its headers and both parts', async () => {
      const composed = await composeEmail(message('ntf_contract_1'));
      const r = await h.sender.send(composed);
      expect(r.messageId).toBe('<ntf_contract_1@accord.local>');
      const [d] = await h.delivered();
      expect(d!.to.sort()).toEqual(['legal@accord.local', 'watchers@accord.local']);
      const parsed = await simpleParser(d!.raw);
      expect(parsed.messageId).toBe('<ntf_contract_1@accord.local>');
      expect(parsed.subject).toBe('Sign-off requested: Card authorisation SLA — légal');
      expect(parsed.from?.value).toEqual([{ name: 'Accord', address: 'accord@accord.local' }]);
      expect(parsed.headers.get('x-accord-task')).toBe('tsk_1');
      expect(parsed.date?.toISOString()).toBe('2026-03-02T09:30:00.000Z');
      expect(parsed.text?.trim()).toBe('Please sign off.\n\nYour task: http://localhost:3000/v1/tasks/tsk_1');
      expect(parsed.html).toContain('<a href="http://localhost:3000/v1/tasks/tsk_1">Your task</a>');
    });

    it('delivers each message once per send, keeping their Message-IDs apart', async () => {
      await h.sender.send(await composeEmail(message('ntf_a')));
      await h.sender.send(
        await composeEmail(message('ntf_b', { to: [{ email: 'b@accord.local' }], cc: [] })),
      );
      const ids = await Promise.all(
        (await h.delivered()).map(async (d) => (await simpleParser(d.raw)).messageId),
      );
      expect(ids.sort()).toEqual(['<ntf_a@accord.local>', '<ntf_b@accord.local>']);
    });
  });
}
