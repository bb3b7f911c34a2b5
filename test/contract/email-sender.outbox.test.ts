import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxEmailSender } from '../../shared/adapters/fs/outbox.js';
import { emailSenderContract } from './email-sender.contract.js';

emailSenderContract('outbox (.eml files)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'accord-outbox-'));
  const sender = new OutboxEmailSender(join(dir, 'outbox'));
  return {
    sender,
    delivered: async () =>
      sender.list().map(({ raw }) => {
        const text = raw.toString('utf8');
        const to = /^X-Envelope-To: (.*)\r\n/.exec(text)![1]!.split(', ');
        return { raw, to };
      }),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
