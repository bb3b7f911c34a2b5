import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import { agreementVersion } from './fixtures.js';

/**
 * Writes an agreement's versions straight to a store (no use case, so no workflow hook runs): version 1 from the
 * fixture with the first step's fields, each later version the previous one with the next step's fields and the
 * version number after it. Gives the versions written, first to last.
 */
export async function writeHistory(
  store: { create(v: AgreementVersion): Promise<void>; append(v: AgreementVersion): Promise<void> },
  id: string,
  steps: Partial<AgreementVersion>[],
): Promise<AgreementVersion[]> {
  const written: AgreementVersion[] = [];
  for (const step of steps) {
    const prev = written.at(-1);
    const v: AgreementVersion = prev
      ? { ...prev, ...step, version: prev.version + 1 }
      : agreementVersion({ id, ...step, version: 1 });
    if (prev) await store.append(v);
    else await store.create(v);
    written.push(v);
  }
  return written;
}
