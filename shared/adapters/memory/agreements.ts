import { partyUnitsOf } from '../../domain/access/policy.js';
import { type ChainAgreement, chainView } from '../../domain/chain/graph.js';
import { ConflictError, VersionConflictError } from '../../domain/errors.js';
import type { AgreementListQuery, AgreementStore, Page } from '../../ports/agreements.js';
import type { AgreementVersion } from '../../schemas/agreement.js';

const copy = <T>(v: T): T => structuredClone(v);

/** In-memory agreements for unit tests; passes the same contract suite as the real stores. */
export class MemoryAgreementStore implements AgreementStore {
  private readonly versions = new Map<string, AgreementVersion[]>();

  async create(first: AgreementVersion): Promise<void> {
    if (this.versions.has(first.id)) throw new ConflictError(`agreement ${first.id} already exists`);
    this.versions.set(first.id, [copy(first)]);
  }

  async append(next: AgreementVersion): Promise<void> {
    const all = this.versions.get(next.id);
    if (!all) throw new ConflictError(`agreement ${next.id} does not exist`);
    const current = all[all.length - 1]!;
    if (current.version !== next.version - 1) {
      throw new VersionConflictError(`stale write: the current version is ${current.version}`, copy(current));
    }
    all.push(copy(next));
  }

  async get(id: string): Promise<AgreementVersion | undefined> {
    const all = this.versions.get(id);
    return all ? copy(all[all.length - 1]!) : undefined;
  }

  async getVersion(id: string, version: number): Promise<AgreementVersion | undefined> {
    const v = this.versions.get(id)?.find((x) => x.version === version);
    return v ? copy(v) : undefined;
  }

  async listVersions(id: string): Promise<AgreementVersion[]> {
    return copy(this.versions.get(id) ?? []);
  }

  async dependants(id: string): Promise<AgreementVersion[]> {
    return this.currents()
      .filter((a) => a.status !== 'retired' && a.underpinnedBy.includes(id))
      .map(copy);
  }

  async list(q: AgreementListQuery): Promise<Page<AgreementVersion>> {
    const match = (a: AgreementVersion): boolean =>
      (q.serviceId === undefined || a.serviceId === q.serviceId) &&
      (q.businessUnit === undefined || a.businessUnit === q.businessUnit) &&
      (q.kind === undefined || a.kind === q.kind) &&
      (q.status === undefined ? a.status !== 'retired' : a.status === q.status) &&
      inRange(a.renewal?.renewalDate, q.renewalFrom, q.renewalTo) &&
      inRange(a.effectiveTo, q.expiryFrom, q.expiryTo) &&
      (q.scope.all ||
        q.scope.businessUnits.includes(a.businessUnit) ||
        q.scope.serviceIds.includes(a.serviceId) ||
        partyUnitsOf(a.parties).some(
          (u) => q.scope.all === false && (q.scope.partyUnits ?? []).includes(u),
        )) &&
      (q.after === undefined || a.id > q.after);
    const rows = this.currents()
      .filter(match)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const page = rows.slice(0, q.limit);
    return {
      items: page.map(copy),
      ...(rows.length > q.limit ? { lastKey: page[page.length - 1]!.id } : {}),
    };
  }

  async chainViews(): Promise<ChainAgreement[]> {
    return this.currents()
      .filter((a) => a.status !== 'retired')
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map((a) => copy(chainView(a)));
  }

  private currents(): AgreementVersion[] {
    return [...this.versions.values()].map((all) => all[all.length - 1]!);
  }
}

function inRange(v: string | undefined, from?: string, to?: string): boolean {
  if (from === undefined && to === undefined) return true;
  if (v === undefined) return false;
  return (from === undefined || v >= from) && (to === undefined || v <= to);
}
