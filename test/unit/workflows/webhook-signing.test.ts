import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, webhookHeaders } from '../../../shared/adapters/webhooks/signing.js';

const KEY = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const BODY = '{"test": 2432232314}';
const T = 1614265330;

describe('signed webhooks (Standard Webhooks)', () => {
  it('signs id.timestamp.body with HMAC-SHA256: the known answer of the Standard Webhooks test suite', () => {
    expect(signWebhook(KEY, ID, T, BODY)).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts the key with or without its whsec_ prefix', () => {
    expect(signWebhook(KEY.slice(6), ID, T, BODY)).toBe(signWebhook(KEY, ID, T, BODY));
  });

  it('puts id, timestamp in seconds and the signature in the three headers', () => {
    expect(webhookHeaders(KEY, ID, T * 1000 + 999, BODY)).toEqual({
      'content-type': 'application/json',
      'webhook-id': ID,
      'webhook-timestamp': String(T),
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  const headers = webhookHeaders(KEY, ID, T * 1000, BODY);

  it('verifies a delivery signed with the secret, within five minutes of now', () => {
    expect(verifyWebhook([KEY], headers, BODY, (T + 299) * 1000)).toEqual({
      id: ID,
      timestamp: T,
      secret: KEY,
    });
  });

  it('accepts any of several signatures and any of several secrets (key rotation)', () => {
    const rotated = { ...headers, 'webhook-signature': `v1,AAAA ${headers['webhook-signature']}` };
    expect(verifyWebhook(['whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0', KEY], rotated, BODY, T * 1000).id).toBe(ID);
  });

  it('red team, wave 37: refuses a signed message whose id is longer than 200 characters or holds a space or a control character, naming webhook-id (the id is recorded with each note, as who acted when the tool names nobody: a 12,000-character id was kept twice per note)', () => {
    for (const id of [`msg_${'A'.repeat(197)}`, 'msg 1', 'msg\u00001', 'msg\t1']) {
      const call = () => verifyWebhook([KEY], webhookHeaders(KEY, id, T * 1000, BODY), BODY, T * 1000);
      expect(call, JSON.stringify(id)).toThrow(
        expect.objectContaining({
          code: 'unauthenticated',
          message: 'bad webhook id',
          details: [
            {
              path: 'webhook-id',
              problem: 'is 1 to 200 printable characters without spaces (Standard Webhooks: msg_…)',
            },
          ],
        }),
      );
    }
    const longest = `msg_${'A'.repeat(196)}`;
    expect(verifyWebhook([KEY], webhookHeaders(KEY, longest, T * 1000, BODY), BODY, T * 1000).id).toBe(
      longest,
    );
  });

  it.each([
    ['a changed body', { body: '{"test": 1}' }, 'webhook-signature'],
    ['another id', { headers: { 'webhook-id': 'msg_other' } }, 'webhook-signature'],
    ['a stale timestamp', { now: (T + 301) * 1000 }, 'webhook-timestamp'],
    ['a timestamp in the future', { now: (T - 301) * 1000 }, 'webhook-timestamp'],
    ['a missing signature', { headers: { 'webhook-signature': '' } }, 'webhook-signature'],
    ['a missing id', { headers: { 'webhook-id': '' } }, 'webhook-id'],
    ['a timestamp that is no number', { headers: { 'webhook-timestamp': 'soon' } }, 'webhook-timestamp'],
    [
      'a v2 signature only',
      { headers: { 'webhook-signature': headers['webhook-signature']!.replace('v1', 'v2') } },
      'webhook-signature',
    ],
  ])('refuses %s with 401 naming the header', (_what, change, path) => {
    const c = change as { body?: string; now?: number; headers?: Record<string, string> };
    const call = () => verifyWebhook([KEY], { ...headers, ...c.headers }, c.body ?? BODY, c.now ?? T * 1000);
    expect(call).toThrow(
      expect.objectContaining({ code: 'unauthenticated', details: [expect.objectContaining({ path })] }),
    );
  });
});
