import { createHash, randomBytes } from 'node:crypto';
import { type Action, grantsFor, type Principal } from '../domain/access/policy.js';
import {
  BusinessRuleError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
  ValidationError,
  VersionConflictError,
} from '../domain/errors.js';
import { datadogKeyRefusal, type VendorScope, vendorScope } from '../domain/telemetry/scope.js';
import {
  DEFAULT_OVERLAP_MS,
  duplicateBinding,
  keyUsableAt,
  MAX_OVERLAP_MS,
  MAX_USABLE_KEYS,
  usableKeys,
} from '../domain/vendors/keys.js';
import type { Clock } from '../ports/clock.js';
import type { ServiceStore } from '../ports/services.js';
import type { KeyGrant, UsagePlans, VendorStore } from '../ports/vendors.js';
import type {
  BindVendorBody,
  CreateVendorBody,
  IssuedKey,
  ListVendorsQuery,
  RevokeBody,
  RotateVendorKeyBody,
  Vendor,
  VendorBinding,
  VendorKeyInfo,
} from '../schemas/vendor.js';
import { decodeCursor, encodeCursor } from './cursor.js';

export interface VendorDeps {
  vendors: VendorStore;
  /** To refuse a binding to a service that does not exist (a typo would otherwise bind nothing). */
  services: Pick<ServiceStore, 'get'>;
  usagePlans: UsagePlans;
  clock: Clock;
  /** Time-ordered id bodies (the ULID generator): key ids are `key_<id>`. */
  ids: { next(): string };
  /** A new API key; 192 random bits, URL-safe, by default. */
  newKey?: () => string;
  /** How long a successful key lookup is remembered in this process (default 30 s; 0 turns it off). */
  authCacheMs?: number;
  /** Told about failures that do not fail the request (withdrawing a revoked vendor's usage-plan key). */
  onBackgroundError?: (what: string, err: unknown) => void;
}

/** The identity a vendor key authenticates as: what the vendor authorizer hands to API Gateway. */
export interface AuthenticatedVendor {
  vendorId: string;
  tier: string;
  keyId: string;
  /** The value API Gateway's usage plan meters this vendor by (`usageIdentifierKey`), when enrolled. */
  usageKey?: string;
}

/** SHA-256 (hex) of an API key: what the key index is keyed by. Keys are 192-bit random, so no salt or stretching. */
export const hashApiKey = (apiKey: string): string => createHash('sha256').update(apiKey).digest('hex');

const defaultNewKey = () => `ak_${randomBytes(24).toString('base64url')}`;

/**
 * Monitoring vendors and their API keys, managed by admins: create (the first key is shown once), bind to
 * services or SLIs, rotate with an overlap period, revoke a key or the vendor. Every change is a new version of
 * the vendor's record, and the audit trail is written from the change records as for services and agreements.
 * Also the vendor side of authentication: a presented key to its identity (the authorizer), and the re-check of
 * that key with the vendor's scope at ingestion.
 */
export class VendorUseCases {
  private readonly authCache = new Map<string, { grant: KeyGrant; until: number }>();

  constructor(private readonly deps: VendorDeps) {}

  async create(principal: Principal, body: CreateVendorBody): Promise<IssuedKey> {
    this.authorise(principal, 'vendor.manage');
    if (await this.deps.vendors.get(body.id)) {
      throw new ConflictError(`vendor ${body.id} already exists`, [{ path: 'id', problem: 'is taken' }]);
    }
    await this.checkBindings(body.bindings);
    const at = this.now();
    const issued = this.issue(principal.subject, at);
    const enrolment = await this.deps.usagePlans.enrol(body.id, body.tier);
    const vendor: Vendor = {
      id: body.id,
      name: body.name,
      tier: body.tier,
      status: 'active',
      bindings: body.bindings,
      keys: [issued.info],
      usagePlanKeyId: enrolment.usagePlanKeyId,
      version: 1,
      createdAt: at.toISOString(),
      createdBy: principal.subject,
      changedAt: at.toISOString(),
      changedBy: principal.subject,
      change: 'create',
      reason: body.reason,
    };
    try {
      await this.deps.vendors.create(vendor, [issued.secret], enrolment.usageKey);
    } catch (e) {
      await this.withdraw(enrolment.usagePlanKeyId);
      throw e;
    }
    return { vendor, keyId: issued.info.keyId, apiKey: issued.apiKey };
  }

  async list(
    principal: Principal,
    query: ListVendorsQuery,
  ): Promise<{ items: Vendor[]; nextCursor?: string }> {
    this.authorise(principal, 'vendor.read');
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, {});
    const page = await this.deps.vendors.list({
      limit: query.limit,
      // Stryker disable next-line ConditionalExpression: `{ after: undefined }` and no `after` are the same first page to every vendor store (the port reads `after` only when it is defined)
      ...(after === undefined ? {} : { after }),
    });
    return {
      items: page.items,
      ...(page.lastKey === undefined ? {} : { nextCursor: encodeCursor(page.lastKey, {}) }),
    };
  }

  /** A vendor the principal may see (`vendor.read`; `audit.read` for its audit trail): portfolio-wide roles only. */
  async get(principal: Principal, id: string, action: Action = 'vendor.read'): Promise<Vendor> {
    this.authorise(principal, action);
    const v = await this.deps.vendors.get(id);
    if (!v) throw new NotFoundError(`no vendor ${id}`, [{ path: 'vendorId', problem: 'names no vendor' }]);
    return v;
  }

  /** Replaces the services and SLIs the vendor may write. */
  async bind(principal: Principal, id: string, expected: number, body: BindVendorBody): Promise<Vendor> {
    const current = await this.writable(principal, id, expected);
    await this.checkBindings(body.bindings);
    return this.commit(principal, current, { bindings: body.bindings }, 'bind', body.reason);
  }

  /**
   * Issues a new key. The keys usable now keep working until `previousKeysValidUntil` (default 24 h from now, at
   * most 30 days; now ends them at once), so agents switch over without a gap.
   */
  async rotate(
    principal: Principal,
    id: string,
    expected: number,
    body: RotateVendorKeyBody,
  ): Promise<IssuedKey> {
    const current = await this.writable(principal, id, expected);
    const at = this.now();
    const nowMs = at.getTime();
    const untilMs =
      body.previousKeysValidUntil === undefined
        ? nowMs + DEFAULT_OVERLAP_MS
        : Date.parse(body.previousKeysValidUntil);
    if (untilMs < nowMs - 1000 || untilMs > nowMs + MAX_OVERLAP_MS) {
      throw new BusinessRuleError('the overlap period is out of range', [
        {
          path: 'previousKeysValidUntil',
          problem: `must lie between now and 30 days ahead (${new Date(nowMs + MAX_OVERLAP_MS).toISOString()})`,
        },
      ]);
    }
    const until = new Date(Math.max(untilMs, nowMs)).toISOString();
    const keys = current.keys.map((k) =>
      // Stryker disable next-line EqualityOperator: a key whose notAfter equals the new end gets that same end either way
      keyUsableAt(k, nowMs) && (k.notAfter === undefined || Date.parse(k.notAfter) > Date.parse(until))
        ? { ...k, notAfter: until }
        : k,
    );
    const issued = this.issue(principal.subject, at);
    const next = [...keys, issued.info];
    if (usableKeys({ status: 'active', keys: next }, nowMs).length > MAX_USABLE_KEYS) {
      throw new ConflictError(
        `vendor ${id} would have more than ${MAX_USABLE_KEYS} usable keys: revoke one first, or end the overlap sooner`,
        [{ path: 'previousKeysValidUntil', problem: 'leaves too many keys usable at once' }],
      );
    }
    const vendor = await this.commit(principal, current, { keys: next }, 'rotate-key', body.reason, [
      issued.secret,
    ]);
    return { vendor, keyId: issued.info.keyId, apiKey: issued.apiKey };
  }

  /** Ends one key at once. */
  async revokeKey(
    principal: Principal,
    id: string,
    keyId: string,
    expected: number,
    body: RevokeBody,
  ): Promise<Vendor> {
    const current = await this.writable(principal, id, expected);
    const key = current.keys.find((k) => k.keyId === keyId);
    if (!key)
      throw new NotFoundError(`vendor ${id} has no key ${keyId}`, [
        { path: 'keyId', problem: 'names no key of this vendor' },
      ]);
    if (key.revokedAt !== undefined) {
      throw new ConflictError(`key ${keyId} was revoked at ${key.revokedAt}`, [
        { path: 'keyId', problem: 'is already revoked' },
      ]);
    }
    const at = this.now().toISOString();
    const keys = current.keys.map((k) =>
      k.keyId === keyId ? { ...k, revokedAt: at, revokedBy: principal.subject } : k,
    );
    return this.commit(principal, current, { keys }, 'revoke-key', body.reason);
  }

  /** Revokes the vendor: every key stops at once and its usage-plan enrolment is withdrawn; the record stays. */
  async revoke(principal: Principal, id: string, expected: number, body: RevokeBody): Promise<Vendor> {
    const current = await this.writable(principal, id, expected);
    const at = this.now().toISOString();
    const keys = current.keys.map((k) =>
      k.revokedAt === undefined ? { ...k, revokedAt: at, revokedBy: principal.subject } : k,
    );
    const next = await this.commit(principal, current, { keys, status: 'revoked' }, 'revoke', body.reason);
    if (current.usagePlanKeyId !== undefined) await this.withdraw(current.usagePlanKeyId);
    return next;
  }

  /**
   * The embedded default's development vendor (infra/local/credentials.ts), not an API operation: creates it with
   * the given key and bindings when absent; when the key no longer authenticates (rotated or revoked through the
   * API), issues a new one. Answers the key that works, or undefined for a revoked vendor. Audited as `by`.
   */
  async provision(
    spec: { id: string; name: string; tier: string; bindings: VendorBinding[]; apiKey: string },
    by: string,
  ): Promise<{ vendor: Vendor; apiKey: string } | undefined> {
    const at = this.now();
    const current = await this.deps.vendors.get(spec.id);
    if (current?.status === 'revoked') return undefined;
    const grant = await this.deps.vendors.findKey(hashApiKey(spec.apiKey));
    if (current && grant?.vendorId === spec.id && keyUsableAt(grant, at.getTime())) {
      return { vendor: current, apiKey: spec.apiKey };
    }
    const issued = this.issue(by, at, current ? undefined : spec.apiKey);
    if (!current) {
      const enrolment = await this.deps.usagePlans.enrol(spec.id, spec.tier);
      const vendor: Vendor = {
        id: spec.id,
        name: spec.name,
        tier: spec.tier as Vendor['tier'],
        status: 'active',
        bindings: spec.bindings,
        keys: [issued.info],
        usagePlanKeyId: enrolment.usagePlanKeyId,
        version: 1,
        createdAt: at.toISOString(),
        createdBy: by,
        changedAt: at.toISOString(),
        changedBy: by,
        change: 'create',
        reason: 'development vendor of the embedded default',
      };
      await this.deps.vendors.create(vendor, [issued.secret], enrolment.usageKey);
      return { vendor, apiKey: issued.apiKey };
    }
    const vendor = await this.commit(
      // Stryker disable next-line ArrayDeclaration: commit reads only the principal's subject; this stand-in's roles and scopes are never consulted
      { subject: by, roles: ['admin'], businessUnits: [], services: [], signOffCapacities: [] },
      current,
      { keys: [...current.keys, issued.info] },
      'rotate-key',
      'the development key on file no longer authenticates: a new one is issued',
      [issued.secret],
    );
    return { vendor, apiKey: issued.apiKey };
  }

  /**
   * The vendor authorizer's question: which vendor, tier and key a presented API key is, if it authenticates now
   * (undefined otherwise). Successful lookups are remembered briefly in this process; revocation still takes
   * effect at once for ingestion, which re-checks the key (`admit`).
   */
  async authenticate(apiKey: string): Promise<AuthenticatedVendor | undefined> {
    const hash = hashApiKey(apiKey);
    const nowMs = this.now().getTime();
    const cached = this.authCache.get(hash);
    let grant = cached && cached.until > nowMs ? cached.grant : undefined;
    if (!grant) {
      grant = await this.deps.vendors.findKey(hash);
      const ttl = this.deps.authCacheMs ?? 30_000;
      // Stryker disable next-line ConditionalExpression,EqualityOperator: with a zero TTL the entry would expire at the instant it is written (until > now never holds), so remembering it or not answers alike; a negative TTL is no configuration
      if (grant && ttl > 0) {
        if (this.authCache.size > 10_000) this.authCache.clear();
        this.authCache.set(hash, { grant, until: nowMs + ttl });
      }
    }
    if (!grant || !keyUsableAt(grant, nowMs)) return undefined;
    return {
      vendorId: grant.vendorId,
      tier: grant.tier,
      keyId: grant.keyId,
      ...(grant.usageKey !== undefined ? { usageKey: grant.usageKey } : {}),
    };
  }

  /**
   * Ingestion's check, from the vendor's record: the key the request authenticated with is still usable (not
   * revoked, not past its overlap) and the vendor active; answers what the vendor may write.
   */
  async admit(vendorId: string, keyId: string | undefined): Promise<VendorScope> {
    const v = await this.deps.vendors.get(vendorId);
    const key = v?.keys.find((k) => k.keyId === keyId);
    if (v?.status !== 'active' || !key || !keyUsableAt(key, this.now().getTime())) {
      throw new UnauthenticatedError('the API key was revoked or has expired', [
        { path: 'Authorization', problem: 'the key no longer authenticates: ask an admin for a current key' },
      ]);
    }
    return vendorScope(v.id, v.bindings);
  }

  /** `admit` on the Datadog paths: a key that no longer authenticates is their 403 (`datadogKeyRefusal`), not 401. */
  async admitDatadog(vendorId: string, keyId: string | undefined): Promise<VendorScope> {
    return this.admit(vendorId, keyId).catch((e: unknown) => {
      throw datadogKeyRefusal(e);
    });
  }

  private authorise(principal: Principal, action: Action): void {
    // Vendors belong to no business unit: only portfolio-wide grants reach them.
    const grants = grantsFor(principal, action);
    // Stryker disable next-line ConditionalExpression: every grant of vendor.read or vendor.manage in PERMISSIONS is portfolio-wide (admin, auditor), so no principal holds a narrower one to tell `true` apart
    const portfolioWide = grants.some((g) => g.scope === 'all');
    if (!portfolioWide) {
      throw new ForbiddenError(
        `your roles (${principal.roles.join(', ') || 'none'}) do not allow ${action} on vendors`,
        [
          {
            path: 'roles',
            problem: `${principal.roles.join(', ') || 'no role'}: none allows ${action} portfolio-wide (vendors belong to no business unit)`,
          },
        ],
      );
    }
  }

  private async writable(principal: Principal, id: string, expected: number): Promise<Vendor> {
    const current = await this.get(principal, id, 'vendor.manage');
    if (current.version !== expected) {
      throw new VersionConflictError(
        `stale write: you sent version ${expected}, the current version is ${current.version}`,
        current,
      );
    }
    if (current.status !== 'active') {
      throw new ConflictError(`vendor ${id} is revoked: create a new vendor instead`, [
        { path: 'vendorId', problem: 'names a revoked vendor' },
      ]);
    }
    return current;
  }

  private async commit(
    principal: Principal,
    current: Vendor,
    changes: Partial<Vendor>,
    change: string,
    reason: string,
    secrets: { keyId: string; hash: string }[] = [],
  ): Promise<Vendor> {
    const at = this.now();
    const next: Vendor = {
      ...current,
      ...changes,
      version: current.version + 1,
      changedAt: at.toISOString(),
      changedBy: principal.subject,
      change,
      reason,
    };
    await this.deps.vendors.update(next, at.getTime(), secrets);
    return next;
  }

  private async checkBindings(bindings: readonly VendorBinding[]): Promise<void> {
    const dup = duplicateBinding(bindings);
    if (dup !== undefined) {
      throw new ValidationError('a binding is given twice', [
        { path: `bindings[${dup}]`, problem: 'repeats an earlier binding' },
      ]);
    }
    const services = [...new Set(bindings.map((b) => b.serviceId))];
    const found = await Promise.all(services.map((s) => this.deps.services.get(s)));
    const missing = new Set(services.filter((_, i) => !found[i]));
    if (missing.size) {
      throw new BusinessRuleError('bindings name services that do not exist', [
        ...bindings.flatMap((b, i) =>
          missing.has(b.serviceId) ? [{ path: `bindings[${i}].serviceId`, problem: 'names no service' }] : [],
        ),
      ]);
    }
  }

  private issue(by: string, at: Date, apiKey = (this.deps.newKey ?? defaultNewKey)()) {
    const info: VendorKeyInfo = {
      keyId: `key_${this.deps.ids.next()}`,
      hint: apiKey.slice(-4),
      createdAt: at.toISOString(),
      createdBy: by,
    };
    return { apiKey, info, secret: { keyId: info.keyId, hash: hashApiKey(apiKey) } };
  }

  private async withdraw(usagePlanKeyId: string): Promise<void> {
    try {
      await this.deps.usagePlans.withdraw(usagePlanKeyId);
    } catch (err) {
      this.deps.onBackgroundError?.('withdrawing a usage-plan key', err);
    }
  }

  private now(): Date {
    return this.deps.clock.now();
  }
}

/** The vendor use cases of a container, or 503 where a composition root did not wire them. */
export function vendorsIn(container: { vendors?: VendorUseCases | undefined }): VendorUseCases {
  if (!container.vendors) throw new UnavailableError('vendor management is not deployed in this function');
  return container.vendors;
}
