import type { AgreementStore } from '../ports/agreements.js';
import type { SliReader, SliReaders } from '../ports/telemetry.js';

/** Agreements that no longer read telemetry. */
const ENDED = new Set(['retired', 'expired', 'sunset']);

/**
 * The objectives reading a service's SLIs, from the agreement store's list by service (an index on both backends):
 * an objective reads `<serviceId>/<sli.name ?? sli.type>`, as the objectives engine does.
 */
export class AgreementSliReaders implements SliReaders {
  constructor(private readonly agreements: Pick<AgreementStore, 'list'>) {}

  async of(serviceId: string): Promise<SliReader[]> {
    const out: SliReader[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.agreements.list({
        serviceId,
        scope: { all: true },
        limit: 200,
        ...(after ? { after } : {}),
      });
      for (const a of page.items) {
        if (ENDED.has(a.status)) continue;
        for (const o of a.objectives) {
          out.push({ sli: o.sli.name ?? o.sli.type, agreementId: a.id, objectiveId: o.id, status: a.status });
        }
      }
      if (!page.lastKey || page.items.length === 0) return out;
      after = page.lastKey;
    }
  }
}
