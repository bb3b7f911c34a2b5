import { describe, expect, it } from 'vitest';
import type { AuditStore } from '../../shared/ports/audit.js';
import type { AuditEntry } from '../../shared/schemas/agreement.js';

const entry = (version: number, over: Partial<AuditEntry> = {}): AuditEntry => ({
  entity: 'agreement',
  entityId: 'agr_01JAUDIT0000000001',
  version,
  eventId: `agreement#agr_01JAUDIT0000000001#v${version}`,
  at: `2026-11-0${version}T10:00:00.000Z`,
  by: 'sam@example.com',
  reason: `change ${version}`,
  change: version === 1 ? 'create' : 'update',
  diff: [{ path: 'title', op: 'changed', before: 'a', after: 'b' }],
  ...over,
});

/** The AuditStore contract, passed by every adapter. */
export function auditStoreContract(name: string, make: () => Promise<AuditStore> | AuditStore): void {
  describe(`AuditStore contract: ${name}`, () => {
    it('records an entry once and ignores the same change delivered again', async () => {
      const store = await make();
      expect(await store.record(entry(1))).toBe(true);
      expect(await store.record(entry(1))).toBe(false);
      expect(await store.list('agreement', 'agr_01JAUDIT0000000001', { limit: 10 })).toEqual([entry(1)]);
    });

    it('lists one entity in version order, after a version, up to a limit', async () => {
      const store = await make();
      for (const v of [3, 1, 2]) await store.record(entry(v));
      await store.record(entry(1, { entityId: 'agr_01JOTHER000000001', eventId: 'other' }));
      await store.record(entry(1, { entity: 'service' }));
      const all = await store.list('agreement', 'agr_01JAUDIT0000000001', { limit: 10 });
      expect(all.map((e) => e.version)).toEqual([1, 2, 3]);
      const after = await store.list('agreement', 'agr_01JAUDIT0000000001', { limit: 1, afterVersion: 1 });
      expect(after.map((e) => e.version)).toEqual([2]);
    });
  });
}
