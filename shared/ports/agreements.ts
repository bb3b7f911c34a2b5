import type { ListScope } from '../domain/access/policy.js';
import type { ChainAgreement } from '../domain/chain/graph.js';
import type { AgreementVersion } from '../schemas/agreement.js';

export interface AgreementFilter {
  serviceId?: string;
  businessUnit?: string;
  status?: AgreementVersion['status'];
  kind?: AgreementVersion['kind'];
  renewalFrom?: string;
  renewalTo?: string;
  expiryFrom?: string;
  expiryTo?: string;
}

export interface AgreementListQuery extends AgreementFilter {
  /** What the caller may see: everything, or any of these business units or services. */
  scope: ListScope;
  limit: number;
  /** Keyset cursor: return agreements whose id sorts after this one. Ids are time-ordered. */
  after?: string;
}

export interface Page<T> {
  items: T[];
  /** The last id of this page when more may follow. */
  lastKey?: string;
}

/**
 * Every current agreement matching `filter`, whatever its business unit (`scope: { all: true }`: for scheduled jobs,
 * never for a person's request), read `pageSize` at a time by the store's keyset (`after`/`lastKey`).
 */
export async function* eachAgreement(
  store: Pick<AgreementStore, 'list'>,
  filter: AgreementFilter,
  pageSize = 200,
): AsyncGenerator<AgreementVersion> {
  let after: string | undefined;
  do {
    const page = await store.list({ ...filter, scope: { all: true }, limit: pageSize, after });
    yield* page.items;
    after = page.lastKey;
  } while (after !== undefined);
}

/**
 * Agreements as immutable versions plus a current pointer.
 * Every write commits the new version, the current pointer and the dependency edges together.
 */
export interface AgreementStore {
  /** Stores version 1. ConflictError when the id exists. */
  create(first: AgreementVersion): Promise<void>;
  /** Stores `next` when the current version is `next.version - 1`; VersionConflictError (with the current) otherwise. */
  append(next: AgreementVersion): Promise<void>;
  get(id: string): Promise<AgreementVersion | undefined>;
  getVersion(id: string, version: number): Promise<AgreementVersion | undefined>;
  /** Every version, oldest first. */
  listVersions(id: string): Promise<AgreementVersion[]>;
  list(query: AgreementListQuery): Promise<Page<AgreementVersion>>;
  /** Current versions of the agreements that list `id` in `underpinnedBy` (not retired). */
  dependants(id: string): Promise<AgreementVersion[]>;
  /**
   * The chain's projection (`chainView` in domain/chain/graph: kind, status, parties, zone, supported hours, links,
   * edges, objectives' targets, windows and thresholds) of every current agreement that is not retired, in id
   * order: what the portfolio's gap analysis reads, without the rest of each document.
   */
  chainViews(): Promise<ChainAgreement[]>;
}
