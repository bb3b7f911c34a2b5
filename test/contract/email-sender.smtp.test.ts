import { SmtpEmailSender } from '../../shared/adapters/smtp/email.js';
import { startSmtpServer } from '../helpers/smtp.js';
import { emailSenderContract } from './email-sender.contract.js';

emailSenderContract('SMTP (a real smtp-server)', async () => {
  const server = await startSmtpServer();
  const sender = new SmtpEmailSender(server.url);
  return {
    sender,
    delivered: async () => server.received.map((m) => ({ raw: m.raw, to: m.to })),
    close: async () => {
      sender.close();
      await server.close();
    },
  };
});
