import { beforeEach, describe, expect, it } from 'vitest';
import type { NotificationRecord, NotificationStore } from '../../shared/ports/notifier.js';

const n = (id: string, over: Partial<NotificationRecord> = {}): NotificationRecord => ({
  id,
  channel: 'email',
  topic: 'agreement:agr_1',
  event: 'approval.signoff-requested',
  email: {
    id,
    from: { email: 'accord@accord.local' },
    to: [{ email: 'a@accord.local' }],
    subject: 's',
    text: 't',
    html: '<p>t</p>',
    date: '2026-03-02T09:30:00.000Z',
  },
  status: 'pending',
  attempts: 0,
  nextAttemptAt: 1000,
  createdAt: '2026-03-02T09:30:00.000Z',
  ...over,
});

export function notificationStoreContract(
  name: string,
  make: () => Promise<NotificationStore> | NotificationStore,
): void {
  describe(`NotificationStore contract: ${name}`, () => {
    let store: NotificationStore;
    beforeEach(async () => {
      store = await make();
    });

    it('queues a notification once: the same id again is refused and the first kept', async () => {
      expect(await store.enqueue(n('a'))).toBe(true);
      expect(await store.enqueue(n('a', { topic: 'other' }))).toBe(false);
      expect(await store.get('a')).toMatchObject({ topic: 'agreement:agr_1', status: 'pending' });
    });

    it('claims what is due, leases it, and does not hand it out again while the lease runs', async () => {
      await store.enqueue(n('a', { nextAttemptAt: 1000 }));
      await store.enqueue(n('b', { nextAttemptAt: 5000 }));
      const first = await store.claim(2000, 10, 60_000);
      expect(first.map((x) => [x.id, x.status, x.attempts, x.nextAttemptAt])).toEqual([
        ['a', 'sending', 1, 62_000],
      ]);
      expect(await store.claim(3000, 10, 60_000)).toEqual([]);
      // A lease that ran out (the process died while sending) is claimed again.
      expect((await store.claim(62_000, 10, 60_000)).map((x) => [x.id, x.attempts])).toEqual([
        ['b', 1],
        ['a', 2],
      ]);
    });

    it('claims at most the limit, oldest due first', async () => {
      for (const [id, t] of [
        ['c', 300],
        ['a', 100],
        ['b', 200],
      ] as const)
        await store.enqueue(n(id, { nextAttemptAt: t }));
      expect((await store.claim(1000, 2, 1000)).map((x) => x.id)).toEqual(['a', 'b']);
    });

    it('records sent, retry later and dead outcomes; only a retry comes back', async () => {
      for (const id of ['s', 'r', 'd']) await store.enqueue(n(id));
      await store.claim(1000, 10, 60_000);
      await store.settle('s', { status: 'sent', at: '2026-03-02T09:31:00.000Z' });
      await store.settle('r', { status: 'pending', nextAttemptAt: 90_000, error: 'timeout' });
      await store.settle('d', { status: 'dead', error: 'the endpoint answered 410' });
      expect(await store.get('s')).toMatchObject({ status: 'sent', sentAt: '2026-03-02T09:31:00.000Z' });
      expect(await store.get('d')).toMatchObject({ status: 'dead', lastError: 'the endpoint answered 410' });
      expect((await store.claim(89_999, 10, 1)).map((x) => x.id)).toEqual([]);
      expect((await store.claim(90_000, 10, 1)).map((x) => x.id)).toEqual(['r']);
      expect((await store.list({ status: 'dead' })).map((x) => x.id)).toEqual(['d']);
    });

    it('lists by topic, newest first', async () => {
      await store.enqueue(n('old', { createdAt: '2026-03-01T00:00:00.000Z' }));
      await store.enqueue(n('new', { createdAt: '2026-03-03T00:00:00.000Z' }));
      await store.enqueue(n('else', { topic: 'violation:vio_1' }));
      expect((await store.list({ topic: 'agreement:agr_1' })).map((x) => x.id)).toEqual(['new', 'old']);
    });
  });
}
