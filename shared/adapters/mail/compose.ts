import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import { ValidationError } from '../../domain/errors.js';
import type { Address, AttachmentFile, EmailMessage, RawEmail } from '../../ports/notifier.js';

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
export async function composeEmail(
  m: EmailMessage,
  domain = MESSAGE_ID_DOMAIN,
  files: readonly AttachmentFile[] = [],
): Promise<RawEmail> {
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
    // With files the message is multipart/mixed: the alternative (text, HTML) first, then each file in base64.
    ...(files.length
      ? {
          attachments: files.map((f) => ({
            filename: f.fileName,
            contentType: f.contentType,
            content: Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength),
            contentTransferEncoding: 'base64' as const,
          })),
        }
      : {}),
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

/** Reads an archived object's bytes (the archive store's `get`). */
export type ArchiveReader = (key: string) => Promise<{ body: Uint8Array } | undefined>;

/**
 * A composer for the notifier that attaches files by reference: each `attachments` entry of a message is read from
 * the archive and its SHA-256 compared with the one recorded when it was archived, so what is sent is byte for byte
 * what the archive holds. A missing object or a changed byte throws (the dispatcher retries, then dead-letters):
 * a message is never sent with other bytes than those archived.
 */
export function composeWithArchive(
  read: ArchiveReader,
  domain = MESSAGE_ID_DOMAIN,
): (m: EmailMessage) => Promise<RawEmail> {
  return async (m) => {
    const files: AttachmentFile[] = [];
    for (const a of m.attachments ?? []) {
      const got = await read(a.archiveKey);
      if (!got) throw new Error(`attachment ${a.fileName}: ${a.archiveKey} is not in the archive`);
      const actual = createHash('sha256').update(got.body).digest('hex');
      if (actual !== a.sha256)
        throw new Error(
          `attachment ${a.fileName}: ${a.archiveKey} has SHA-256 ${actual}, the manifest recorded ${a.sha256}`,
        );
      files.push({ fileName: a.fileName, contentType: a.contentType, content: got.body });
    }
    return composeEmail(m, domain, files);
  };
}
