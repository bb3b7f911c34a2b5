import { describe, expect, it } from 'vitest';
import type { ArchiveHeadStore } from '../../shared/ports/archive.js';

const h = (seq: number) => ({ seq, hash: String(seq).repeat(64).slice(0, 64) });

/**
 * The ArchiveHeadStore contract, passed by every adapter. `make` answers a store and a way to open the same
 * record again (a second process, a later Lambda): what one wrote, the other reads.
 */
export function archiveHeadStoreContract(
  name: string,
  make: () => Promise<{ store: ArchiveHeadStore; again: () => ArchiveHeadStore }>,
): void {
  describe(`ArchiveHeadStore contract: ${name}`, () => {
    it('has no head before anything is archived, then the head last raised, also when opened again', async () => {
      const { store, again } = await make();
      expect(await store.get()).toBeUndefined();
      await store.raise(h(1));
      await store.raise(h(2));
      expect(await store.get()).toEqual(h(2));
      expect(await again().get()).toEqual(h(2));
    });

    it('never moves the head back: a lower or equal sequence number leaves it as it is', async () => {
      const { store, again } = await make();
      await store.raise(h(5));
      await store.raise(h(3));
      await store.raise({ seq: 5, hash: 'f'.repeat(64) });
      expect(await store.get()).toEqual(h(5));
      await again().raise(h(4));
      expect(await store.get()).toEqual(h(5));
    });

    it('keeps the highest of concurrent raises', async () => {
      const { store, again } = await make();
      const other = again();
      await Promise.all([store.raise(h(7)), other.raise(h(9)), store.raise(h(8))]);
      expect(await store.get()).toEqual(h(9));
    });
  });
}
