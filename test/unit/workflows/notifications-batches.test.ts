import { describe, expect, it } from 'vitest';
import type { MemoryEmailSender } from '../../../shared/adapters/memory/notifier.js';
import { testNotifications } from '../../helpers/notify.js';

const request = (i: number) => ({
  key: `test/batch/${i}`,
  topic: 'agreement:agr_01JTEST00000',
  event: 'approval.signoff-requested',
  businessUnit: 'payments',
  lists: [],
  to: [{ name: 'Owen Service', email: 'owen.service@accord.local' }],
  subject: `Message ${i}`,
  paragraphs: ['One of many.'],
  links: [],
  headers: {},
});

describe('dispatching a queue longer than one batch', () => {
  it('keeps claiming batches until one comes back short, so everything due at the call is attempted', async () => {
    const { notifications, email } = testNotifications();
    for (let i = 0; i < 7; i++) await notifications.notify(request(i));
    // Batches of 3: 3 + 3 + 1; a pass that stopped after its first full batch would send 3.
    expect(await notifications.dispatch(3)).toEqual({ sent: 7, retried: 0, dead: 0 });
    expect((email as MemoryEmailSender).sent).toHaveLength(7);
    expect(await notifications.dispatch(3)).toEqual({ sent: 0, retried: 0, dead: 0 });
  });

  it('claims again after a batch exactly as long as the limit, and stops when the next claim comes back empty', async () => {
    const { notifications, email } = testNotifications();
    for (let i = 0; i < 4; i++) await notifications.notify(request(i));
    expect(await notifications.dispatch(2)).toEqual({ sent: 4, retried: 0, dead: 0 });
    expect((email as MemoryEmailSender).sent.map((m) => m.messageId)).toHaveLength(4);
  });
});
