import { MemoryEmailSender } from '../../shared/adapters/memory/notifier.js';
import { emailSenderContract } from './email-sender.contract.js';

emailSenderContract('memory', async () => {
  const sender = new MemoryEmailSender();
  return { sender, delivered: async () => sender.sent.map((m) => ({ raw: m.raw, to: m.envelope.to })) };
});
