import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailSender, RawEmail } from '../../ports/notifier.js';

/**
 * E-mail on AWS: SES v2 SendEmail with raw content (the bytes MailComposer built), through a configuration set
 * whose event destination records bounces and complaints. The client is built once per cold start and passed in.
 */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly configurationSetName?: string | undefined,
  ) {}

  async send(mail: RawEmail): Promise<{ messageId: string; transportId?: string }> {
    const out = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: mail.envelope.from,
        Destination: { ToAddresses: mail.envelope.to },
        Content: { Raw: { Data: new Uint8Array(mail.raw) } },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
      }),
    );
    return { messageId: mail.messageId, ...(out.MessageId ? { transportId: out.MessageId } : {}) };
  }
}
