import { createTransport } from 'nodemailer';
import type { EmailSender, RawEmail } from '../../ports/notifier.js';

/** E-mail over SMTP (`ACCORD_SMTP_URL`, for example `smtp://user:pass@mail.example:587`), the bytes as composed. */
export class SmtpEmailSender implements EmailSender {
  private readonly transport: ReturnType<typeof createTransport>;

  constructor(url: string) {
    this.transport = createTransport(url);
  }

  async send(mail: RawEmail): Promise<{ messageId: string; transportId?: string }> {
    const info = await this.transport.sendMail({ envelope: mail.envelope, raw: mail.raw });
    return { messageId: mail.messageId, transportId: String(info.response ?? '') };
  }

  close(): void {
    this.transport.close();
  }
}
