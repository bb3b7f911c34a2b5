import { describe, expect, it, vi } from 'vitest';
import { MemoryAuditStore } from '../../shared/adapters/memory/audit.js';
import {
  BusinessRuleError,
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionRequiredError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
  UnsupportedMediaTypeError,
  ValidationError,
  VersionConflictError,
} from '../../shared/domain/errors.js';
import type { AuditEntry } from '../../shared/schemas/agreement.js';
import {
  type AuditLocator,
  AuditQueries,
  AuditRecorder,
  auditEntryFor,
} from '../../shared/usecases/audit.js';
import { decodeCursor, encodeCursor } from '../../shared/usecases/cursor.js';
import { principal } from '../helpers/fixtures.js';

const problem = async (f: () => unknown) => {
  try {
    await f();
  } catch (e) {
    return e as DomainError;
  }
  throw new Error('expected a failure');
};

describe('list cursors', () => {
  it('gives back the last key of the page for the same filters', () => {
    const c = encodeCursor('agr_0042', { businessUnit: 'payments', status: 'active' });
    expect(decodeCursor(c, { businessUnit: 'payments', status: 'active' })).toBe('agr_0042');
  });

  it('is the same cursor whatever the order of the filters and whether an absent filter is named', () => {
    const c = encodeCursor('k', { status: 'active', businessUnit: 'payments', kind: undefined });
    expect(decodeCursor(c, { businessUnit: 'payments', status: 'active' })).toBe('k');
    expect(c).toBe(encodeCursor('k', { businessUnit: 'payments', status: 'active' }));
  });

  it('is opaque: plain URL-safe text that does not show the key', () => {
    const c = encodeCursor('agr_secret-key', {});
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(c).not.toContain('agr_secret');
  });

  it('refuses a cursor replayed on other filters with 400 telling to start again', async () => {
    const c = encodeCursor('k', { businessUnit: 'payments' });
    for (const other of [{ businessUnit: 'retail' }, {}, { businessUnit: 'payments', tier: 1 }]) {
      const e = await problem(() => decodeCursor(c, other));
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.message).toBe('cursor from another query');
      expect(e.details).toEqual([
        { path: 'query.cursor', problem: 'was issued for different filters; start again without a cursor' },
      ]);
    }
  });

  it('refuses text that is not a cursor this API issued with 400 on the cursor', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64url');
    for (const bad of [
      '%%%',
      b64('not json'),
      b64('null'),
      b64('{"k":1,"f":"x"}'),
      b64('{"k":"a"}'),
      b64('{"f":"x"}'),
    ]) {
      const e = await problem(() => decodeCursor(bad, {}));
      expect(e, bad).toBeInstanceOf(ValidationError);
      expect(e.message).toBe('bad cursor');
      expect(e.details).toEqual([{ path: 'query.cursor', problem: 'is not a cursor issued by this API' }]);
    }
  });
});

describe('the audit entry of a committed change', () => {
  const before = { id: 'agr_1', version: 1, title: 'Old', changedAt: 't0', changedBy: 'a', reason: 'first' };
  const after = {
    id: 'agr_1',
    version: 2,
    title: 'New',
    changedAt: '2026-12-01T10:00:00.000Z',
    changedBy: 'sam@bank.example',
    change: 'update',
    reason: 'clearer title',
  };

  it('says who changed what, when and why, with a diff of the record fields only', () => {
    expect(auditEntryFor({ entity: 'agreement', before, after })).toEqual({
      entity: 'agreement',
      entityId: 'agr_1',
      version: 2,
      eventId: 'agreement#agr_1#v2',
      at: '2026-12-01T10:00:00.000Z',
      by: 'sam@bank.example',
      reason: 'clearer title',
      change: 'update',
      diff: [{ path: 'title', op: 'changed', before: 'Old', after: 'New' }],
    });
  });

  it('names the change create or update from whether there was a before, when the record does not say', () => {
    const { change: _c, ...unnamed } = after;
    expect(auditEntryFor({ entity: 'service', after: unnamed }).change).toBe('create');
    expect(auditEntryFor({ entity: 'service', before, after: unnamed }).change).toBe('update');
    expect(auditEntryFor({ entity: 'service', after: { ...unnamed, change: 'retire' } }).change).toBe(
      'retire',
    );
  });

  it('records an empty reason rather than a made-up one when the record has none', () => {
    const { reason: _r, ...noReason } = after;
    expect(auditEntryFor({ entity: 'agreement', after: noReason }).reason).toBe('');
  });

  it('diffs a first version against nothing: every field is added', () => {
    const e = auditEntryFor({ entity: 'agreement', after });
    expect(e.diff).toEqual([
      { path: 'id', op: 'added', after: 'agr_1' },
      { path: 'title', op: 'added', after: 'New' },
    ]);
  });

  it('is written through the store once, and a redelivered change reports it wrote nothing', async () => {
    const store = new MemoryAuditStore();
    const recorder = new AuditRecorder(store);
    expect(await recorder.record({ entity: 'agreement', before, after })).toBe(true);
    expect(await recorder.record({ entity: 'agreement', before, after })).toBe(false);
    expect(await store.list('agreement', 'agr_1', { limit: 10 })).toHaveLength(1);
  });
});

describe('reading an audit trail', () => {
  const entry = (version: number): AuditEntry => ({
    entity: 'agreement',
    entityId: 'agr_1',
    version,
    eventId: `agreement#agr_1#v${version}`,
    at: '2026-12-01T10:00:00.000Z',
    by: 'sam',
    reason: 'r',
    change: 'update',
    diff: [],
  });
  async function setup() {
    const store = new MemoryAuditStore();
    for (const v of [1, 2, 3, 4, 5]) await store.record(entry(v));
    const locate: AuditLocator = {
      agreement: vi.fn(async () => ({})),
      service: vi.fn(async () => ({})),
      vendor: vi.fn(async () => ({})),
    };
    return { store, locate, q: new AuditQueries(store, locate) };
  }
  const who = principal({ roles: ['auditor'] });

  it('checks the caller may read the record before answering, with the record’s own locator', async () => {
    const { locate, q } = await setup();
    await q.trail(who, 'agreement', 'agr_1', { limit: 2 });
    expect(locate.agreement).toHaveBeenCalledWith(who, 'agr_1');
    expect(locate.service).not.toHaveBeenCalled();
    const denied = new AuditQueries(new MemoryAuditStore(), {
      agreement: async () => {
        throw new ForbiddenError('outside your scope', [{ path: 'businessUnits', problem: 'outside' }]);
      },
      service: async () => ({}),
      vendor: async () => ({}),
    });
    await expect(denied.trail(who, 'agreement', 'agr_1', { limit: 2 })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
  });

  it('pages oldest first, the cursor being the last version seen, and gives no cursor after the last page', async () => {
    const { q } = await setup();
    const first = await q.trail(who, 'agreement', 'agr_1', { limit: 2 });
    expect(first).toEqual({ items: [entry(1), entry(2)], nextCursor: '2' });
    const second = await q.trail(who, 'agreement', 'agr_1', { limit: 2, cursor: '2' });
    expect(second).toEqual({ items: [entry(3), entry(4)], nextCursor: '4' });
    const last = await q.trail(who, 'agreement', 'agr_1', { limit: 2, cursor: '4' });
    expect(last).toEqual({ items: [entry(5)] });
    expect(await q.trail(who, 'agreement', 'agr_1', { limit: 5 })).toEqual({
      items: [1, 2, 3, 4, 5].map(entry),
    });
    expect(await q.trail(who, 'agreement', 'agr_1', { limit: 5, cursor: '0' })).toEqual({
      items: [1, 2, 3, 4, 5].map(entry),
    });
  });

  it('takes a cursor of several digits: the trail of a record with more than nine versions', async () => {
    const store = new MemoryAuditStore();
    for (let v = 1; v <= 12; v++) await store.record(entry(v));
    const q = new AuditQueries(store, {
      agreement: async () => ({}),
      service: async () => ({}),
      vendor: async () => ({}),
    });
    const first = await q.trail(who, 'agreement', 'agr_1', { limit: 10 });
    expect(first.nextCursor).toBe('10');
    expect(await q.trail(who, 'agreement', 'agr_1', { limit: 10, cursor: '10' })).toEqual({
      items: [entry(11), entry(12)],
    });
  });

  it('refuses a cursor that is not a version with 400 on query.cursor', async () => {
    const { q } = await setup();
    // `<versions>.<window entries>` (such as 1.5) is a cursor the agreement trail issues.
    for (const cursor of ['abc', '-1', '1.', '.5', '', ' 3', '0x2', '1e0']) {
      const e = await problem(() => q.trail(who, 'agreement', 'agr_1', { limit: 2, cursor }));
      expect(e, cursor).toBeInstanceOf(ValidationError);
      expect(e.message).toBe('bad cursor');
      expect(e.details).toEqual([{ path: 'query.cursor', problem: 'is not a cursor issued by this API' }]);
    }
  });
});

describe('domain errors', () => {
  // Factories, not instances: an error built while the file loads is always the unmutated class (Stryker switches
  // a mutant on in its own beforeEach), so a mutated `code` would go unseen.
  const cases: [() => DomainError, string][] = [
    [() => new ValidationError('m'), 'validation_failed'],
    [() => new BusinessRuleError('m'), 'rule_violated'],
    [() => new UnauthenticatedError('m'), 'unauthenticated'],
    [() => new ForbiddenError('m', [{ path: 'p', problem: 'q' }]), 'forbidden'],
    [() => new NotFoundError('m', [{ path: 'p', problem: 'q' }]), 'not_found'],
    [() => new ConflictError('m'), 'conflict'],
    [() => new VersionConflictError('m', {}), 'version_conflict'],
    [() => new PreconditionRequiredError('m'), 'precondition_required'],
    [() => new PayloadTooLargeError('m'), 'payload_too_large'],
    [() => new RateLimitedError('m', 3), 'rate_limited'],
    [() => new UnavailableError('m'), 'unavailable'],
    [() => new UnsupportedMediaTypeError('m'), 'unsupported_media_type'],
  ];
  for (const [make, code] of cases) {
    it(`${make().constructor.name} carries the code ${code}, its own name and its message`, () => {
      const err = make();
      expect(err.code).toBe(code);
      expect(err.name).toBe(err.constructor.name);
      expect(err.message).toBe('m');
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toBeInstanceOf(Error);
    });
  }

  it('carries no field problems unless given, and the ones given', () => {
    expect(new ConflictError('m').details).toEqual([]);
    expect(new ValidationError('m', [{ path: 'a', problem: 'b' }]).details).toEqual([
      { path: 'a', problem: 'b' },
    ]);
  });

  it('tells a stale write on If-Match and carries the current version', () => {
    const current = { version: 3 };
    const e = new VersionConflictError('stale', current);
    expect(e.details).toEqual([{ path: 'If-Match', problem: 'stale' }]);
    expect(e.current).toBe(current);
    expect(e).toBeInstanceOf(ConflictError);
  });

  it('keeps a conflict’s context (empty when none) and a throttle’s wait in seconds', () => {
    expect(new ConflictError('m').context).toEqual({});
    expect(new ConflictError('m', [], { dependants: ['agr_2'] }).context).toEqual({ dependants: ['agr_2'] });
    expect(new RateLimitedError('m', 7).retryAfterSeconds).toBe(7);
  });
});
