import { beforeEach, describe, expect, it } from 'vitest';
import type { IdempotencyStore } from '../../shared/ports/telemetry.js';

const rec = (body: string, createdAtMs = 1000) => ({ requestHash: 'h', status: 200, body, createdAtMs });

/** The one contract every IdempotencyStore adapter passes. */
export function idempotencyStoreContract(
  name: string,
  make: () => IdempotencyStore | Promise<IdempotencyStore>,
): void {
  describe(`IdempotencyStore contract: ${name}`, () => {
    let store: IdempotencyStore;
    beforeEach(async () => {
      store = await make();
    });

    it('keeps the first answer for a key and ignores a second put', async () => {
      await store.put('v1', 'k', rec('first'));
      await store.put('v1', 'k', rec('second'));
      expect(await store.get('v1', 'k')).toEqual(rec('first'));
    });

    it('scopes keys by vendor', async () => {
      await store.put('v1', 'k', rec('one'));
      expect(await store.get('v2', 'k')).toBeUndefined();
    });

    it('forgets records older than the retention', async () => {
      await store.put('v1', 'old', rec('a', 1000));
      await store.put('v1', 'new', rec('b', 5000));
      // How many went at once is the adapter's business (DynamoDB's TTL deletes in the background).
      await store.purge(2000);
      expect(await store.get('v1', 'old')).toBeUndefined();
      expect(await store.get('v1', 'new')).toBeDefined();
    });
  });
}
