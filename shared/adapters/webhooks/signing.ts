import { createHmac, timingSafeEqual } from 'node:crypto';
import { UnauthenticatedError, UnavailableError } from '../../domain/errors.js';
import type { InboundWebhookTool } from '../../schemas/workflows.js';

/**
 * Signed webhooks as Standard Webhooks defines them: the signature is HMAC-SHA256 over `id.timestamp.body` with
 * the secret's key bytes (`whsec_` + base64), sent as `webhook-signature: v1,<base64>` beside `webhook-id` and
 * `webhook-timestamp` (Unix seconds). Binding the id and time means a body cannot be replayed under another id or
 * at another time. The secret and the clock are passed in; nothing here reads either itself.
 */
export function secretKey(secret: string): Buffer {
  const body = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  const key = Buffer.from(body, 'base64');
  if (key.length < 16) throw new Error('a webhook secret must hold at least 16 bytes (whsec_ + base64)');
  return key;
}

export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
  return `v1,${mac}`;
}

/** The three headers of one delivery. */
export function webhookHeaders(
  secret: string,
  id: string,
  nowMs: number,
  body: string,
): Record<string, string> {
  const ts = Math.floor(nowMs / 1000);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signWebhook(secret, id, ts, body),
  };
}

/** A message id a receiver keeps: 1 to 200 printable ASCII characters, no space. */
const WEBHOOK_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * Verifies an inbound webhook: any of the space-separated `v1,` signatures made with any of the secrets (so keys
 * rotate without downtime), a timestamp within `toleranceSeconds` of now (stale and future ones are refused),
 * compared in constant time. Throws UnauthenticatedError (401) naming the header at fault.
 * @returns the message's id and time, and the secret that signed it (whose tool sent it)
 */
export function verifyWebhook(
  secrets: readonly string[],
  headers: Record<string, string | undefined>,
  body: string,
  nowMs: number,
  toleranceSeconds = 300,
): { id: string; timestamp: number; secret: string } {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sig = headers['webhook-signature'];
  const missing = (h: string) =>
    new UnauthenticatedError('the webhook is not signed', [{ path: h, problem: 'header is missing' }]);
  if (!id) throw missing('webhook-id');
  if (!ts) throw missing('webhook-timestamp');
  if (!sig) throw missing('webhook-signature');
  // The id is recorded with what the message does (history[].delivery, and as who acted when the tool names nobody),
  // so it is bounded as the body's own `by` is (red team, wave 37: a 12,000-character id was kept twice per note).
  if (!WEBHOOK_ID.test(id)) {
    throw new UnauthenticatedError('bad webhook id', [
      {
        path: 'webhook-id',
        problem: 'is 1 to 200 printable characters without spaces (Standard Webhooks: msg_…)',
      },
    ]);
  }
  const timestamp = Number(ts);
  if (!/^\d{1,12}$/.test(ts)) {
    throw new UnauthenticatedError('bad webhook timestamp', [
      { path: 'webhook-timestamp', problem: 'is not Unix seconds' },
    ]);
  }
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) {
    throw new UnauthenticatedError('the webhook timestamp is too old or in the future', [
      { path: 'webhook-timestamp', problem: `is more than ${toleranceSeconds} s from now` },
    ]);
  }
  const given = sig
    .split(' ')
    .map((s) => s.split(','))
    .filter(([v, b]) => v === 'v1' && b)
    .map(([, b]) => Buffer.from(b!, 'base64'));
  for (const secret of secrets) {
    const expected = Buffer.from(signWebhook(secret, id, timestamp, body).slice(3), 'base64');
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected)))
      return { id, timestamp, secret };
  }
  throw new UnauthenticatedError('the webhook signature does not match', [
    { path: 'webhook-signature', problem: 'matches no signing secret' },
  ]);
}

/** How long secrets read from Secrets Manager are kept before they are read again (a rotation shows within it). */
export const INBOUND_SECRET_TTL_MS = 5 * 60_000;

/**
 * A verifier of inbound webhooks against these tools' secrets (`verifyWebhook`), answering which tool signed. A tool's
 * `secrets` are used as given; its `secretArns` are read through `readSecret` (a secret string holds one or more
 * secrets, comma-separated) on the first message and again after `INBOUND_SECRET_TTL_MS`.
 * @returns undefined when no tool is configured
 * @throws Error (at build, failing the start) when a tool has `secretArns` and no `readSecret` is given (the
 *   embedded default reads no Secrets Manager); the verifier throws UnauthenticatedError (401) as `verifyWebhook`
 *   does, and UnavailableError (503) when a secret cannot be read (tried again on the next message)
 */
export function inboundVerifier(
  tools: readonly InboundWebhookTool[],
  nowMs: () => number,
  readSecret?: (arn: string) => Promise<string>,
):
  | ((headers: Record<string, string>, body: string) => Promise<{ id: string; tool: InboundWebhookTool }>)
  | undefined {
  if (tools.length === 0) return undefined;
  const remote = tools.filter((t) => t.secretArns?.length);
  if (remote.length && !readSecret)
    throw new Error(
      `bad configuration: the inbound webhook tool ${remote[0]!.tool} names secretArns, which are read from Secrets Manager on AWS only: give its secrets here`,
    );
  const local = tools.flatMap((t) => (t.secrets ?? []).map((s) => [s, t] as const));
  let cached: { at: number; bySecret: Map<string, InboundWebhookTool> } | undefined;
  const load = async (): Promise<Map<string, InboundWebhookTool>> => {
    if (!remote.length) return new Map(local);
    if (cached && nowMs() - cached.at < INBOUND_SECRET_TTL_MS) return cached.bySecret;
    const read = await Promise.all(
      remote.flatMap((t) =>
        t.secretArns!.map(async (arn) => {
          let text: string;
          try {
            text = await readSecret!(arn);
          } catch (e) {
            throw new UnavailableError(
              `the signing secret of the inbound webhook tool ${t.tool} cannot be read (${(e as Error).name})`,
            );
          }
          return text
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean)
            .map((s) => [s, t] as const);
        }),
      ),
    );
    cached = { at: nowMs(), bySecret: new Map([...local, ...read.flat()]) };
    return cached.bySecret;
  };
  return async (headers, body) => {
    const bySecret = await load();
    const v = verifyWebhook([...bySecret.keys()], headers, body, nowMs());
    return { id: v.id, tool: bySecret.get(v.secret)! };
  };
}
