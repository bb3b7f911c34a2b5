import { describe, expect, it } from 'vitest';
import { ConflictError, VersionConflictError } from '../../shared/domain/errors.js';
import type { ServiceStore } from '../../shared/ports/services.js';
import { service } from '../helpers/fixtures.js';

/** The ServiceStore contract, passed by every adapter. */
export function serviceStoreContract(name: string, make: () => Promise<ServiceStore> | ServiceStore): void {
  describe(`ServiceStore contract: ${name}`, () => {
    it('returns the service it stored', async () => {
      const store = await make();
      const s = service();
      await store.create(s);
      expect(await store.get(s.id)).toEqual(s);
      expect(await store.get('svc_unknown')).toBeUndefined();
    });

    it('refuses a second service with the same id', async () => {
      const store = await make();
      await store.create(service());
      await expect(store.create(service())).rejects.toBeInstanceOf(ConflictError);
    });

    it('updates only from the current version', async () => {
      const store = await make();
      const s = service();
      await store.create(s);
      await store.update({ ...s, version: 2, name: 'New name' });
      await expect(store.update({ ...s, version: 2, name: 'Stale' })).rejects.toBeInstanceOf(
        VersionConflictError,
      );
      expect((await store.get(s.id))?.name).toBe('New name');
    });

    it('lists by business unit and tier within the caller scope, in id order, page by page', async () => {
      const store = await make();
      const a = service({ id: 'svc_alpha', businessUnit: 'bu-one', tier: 1 });
      const b = service({ id: 'svc_bravo', businessUnit: 'bu-two', tier: 2 });
      const c = service({ id: 'svc_charlie', businessUnit: 'bu-one', tier: 2 });
      for (const x of [c, a, b]) await store.create(x);
      const ids = async (q: Parameters<ServiceStore['list']>[0]) =>
        (await store.list(q)).items.map((x) => x.id);
      expect(await ids({ scope: { all: true }, limit: 10 })).toEqual([
        'svc_alpha',
        'svc_bravo',
        'svc_charlie',
      ]);
      expect(await ids({ scope: { all: true }, limit: 10, businessUnit: 'bu-one', tier: 2 })).toEqual([
        'svc_charlie',
      ]);
      expect(
        await ids({ scope: { all: false, businessUnits: ['bu-two'], serviceIds: ['svc_alpha'] }, limit: 10 }),
      ).toEqual(['svc_alpha', 'svc_bravo']);
      const first = await store.list({ scope: { all: true }, limit: 2 });
      expect(first.lastKey).toBe('svc_bravo');
      expect(await ids({ scope: { all: true }, limit: 2, after: first.lastKey! })).toEqual(['svc_charlie']);
    });
  });
}
