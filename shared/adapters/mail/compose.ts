import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ValidationError } from '../../domain/errors.js';
import type { Address, EmailMessage, RawEmail } from '../../ports/notifier.js';

/** The domain part of Message-IDs Accord mints (RFC 5322 msg-id: `<local@domain>`). */
export const MESSAGE_ID_DOMAIN = 'accord.local';

const fmt = (a: Address) => (a.name ? { name: a.name, address: a.email } : a.email);

/** `<id@domain>`: the message's stable id, reduced to the characters a msg-id's left part may hold. */
export function messageIdOf(id: string, domain = MESSAGE_ID_DOMAIN): string {
  return `<${id.replace(/[^A-Za-z0-9._+-]/g, '.')}@${domain}>`;
}

/**
 * Composes an RFC 5322 message (multipart/alternative: plain text and HTML) with nodemailer's MailComposer.
 * Pure in effect: the Date header comes from the message (the injected clock), the Message-ID and the MIME
 * boundaries derive from the message id, file and URL access are off; the same message gives the same bytes,
 * which is what the golden .eml tests hold it to. A message that cannot be composed is bad input (400), never a
 * server fault.
 */
export async function composeEmail(m: EmailMessage, domain = MESSAGE_ID_DOMAIN): Promise<RawEmail> {
  if (m.to.length === 0) {
    throw new ValidationError('a message needs at least one recipient', [
      { path: 'to', problem: 'is empty' },
    ]);
  }
  const messageId = messageIdOf(m.id, domain);
  const composer = new MailComposer({
    from: fmt(m.from),
    to: m.to.map(fmt),
    ...(m.cc?.length ? { cc: m.cc.map(fmt) } : {}),
    subject: m.subject,
    text: m.text,
    html: m.html,
    date: new Date(m.date),
    messageId,
    headers: m.headers ?? {},
    baseBoundary: createHash('sha256').update(m.id).digest('hex').slice(0, 24),
    boundaryPrefix: '--accord',
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  let raw: Buffer;
  try {
    raw = await composer.compile().build();
  } catch (e) {
    throw new ValidationError('the message cannot be composed', [
      { path: '(message)', problem: (e as Error).message },
    ]);
  }
  return {
    messageId,
    envelope: { from: m.from.email, to: [...m.to, ...(m.cc ?? [])].map((a) => a.email) },
    raw,
  };
}
