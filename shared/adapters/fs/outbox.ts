import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmailSender, RawEmail } from '../../ports/notifier.js';

/** The file name of a message in the outbox: its Message-ID, made safe for a file system. */
export const outboxFileName = (messageId: string) =>
  `${messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@+-]/g, '_')}.eml`;

/**
 * The embedded default's e-mail when no SMTP server is configured: each message an RFC 5322 `.eml` file under
 * `.accord/outbox/`, named by its Message-ID. Written to a temporary name and renamed, so a reader never sees half a
 * message; sending the same message again rewrites the same file (a re-send after a crash stays one message).
 */
export class OutboxEmailSender implements EmailSender {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  async send(mail: RawEmail): Promise<{ messageId: string; transportId?: string }> {
    const name = outboxFileName(mail.messageId);
    const tmp = join(this.dir, `.${name}.${process.pid}.tmp`);
    // The envelope travels in the file as the X-Envelope-To header an MTA's pickup directory would read.
    writeFileSync(
      tmp,
      Buffer.concat([Buffer.from(`X-Envelope-To: ${mail.envelope.to.join(', ')}\r\n`), mail.raw]),
    );
    renameSync(tmp, join(this.dir, name));
    return { messageId: mail.messageId, transportId: name };
  }

  /** The messages in the outbox (for tests and the walk-through). */
  list(): { file: string; raw: Buffer }[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.eml') && !f.startsWith('.'))
      .sort()
      .map((file) => ({ file, raw: readFileSync(join(this.dir, file)) }));
  }
}
