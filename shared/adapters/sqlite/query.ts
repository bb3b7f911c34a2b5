import type { Statement } from 'better-sqlite3';
import type { ListScope } from '../../domain/access/policy.js';
import type { Page } from '../../ports/agreements.js';
import type { Db } from './db.js';

/** A WHERE clause built piece by piece with its positional arguments. */
export class Where {
  readonly parts: string[] = [];
  readonly args: unknown[] = [];

  eq(col: string, v: string | number | undefined): this {
    if (v !== undefined) this.add(`${col} = ?`, v);
    return this;
  }

  range(col: string, from?: string, to?: string): this {
    if (from !== undefined) this.add(`${col} >= ?`, from);
    if (to !== undefined) this.add(`${col} <= ?`, to);
    return this;
  }

  /** Any of the caller's business units or services; nothing when the scope is empty. */
  scope(
    scope: ListScope,
    buCol: string,
    serviceCol: string,
    /** The clause for "a party is one of these units", given the placeholders; absent where nothing has parties. */
    partyClause?: (placeholders: string) => string,
  ): this {
    if (scope.all) return this;
    const any: string[] = [];
    const args: unknown[] = [];
    if (scope.businessUnits.length) {
      any.push(`${buCol} IN (${scope.businessUnits.map(() => '?').join(',')})`);
      args.push(...scope.businessUnits);
    }
    if (scope.serviceIds.length) {
      any.push(`${serviceCol} IN (${scope.serviceIds.map(() => '?').join(',')})`);
      args.push(...scope.serviceIds);
    }
    if (partyClause && scope.partyUnits?.length) {
      any.push(partyClause(scope.partyUnits.map(() => '?').join(',')));
      args.push(...scope.partyUnits);
    }
    return this.add(any.length ? `(${any.join(' OR ')})` : '0', ...args);
  }

  add(clause: string, ...args: unknown[]): this {
    this.parts.push(clause);
    this.args.push(...args);
    return this;
  }

  toString(): string {
    return this.parts.join(' AND ') || '1';
  }
}

/**
 * Runs a keyset page query (`… ORDER BY id LIMIT ?` with one extra row to know whether more follow),
 * caching the prepared statement per SQL text; rows carry the id and the JSON document.
 */
export class PageQuery {
  private readonly cache = new Map<string, Statement<unknown[]>>();
  constructor(private readonly db: Db) {}

  run<T>(sql: string, args: unknown[], limit: number): Page<T> {
    let stmt = this.cache.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.cache.size < 500) this.cache.set(sql, stmt);
    }
    const rows = stmt.all(...args, limit + 1) as { id: string; doc: string }[];
    const more = rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    return {
      items: page.map((r) => JSON.parse(r.doc) as T),
      ...(more ? { lastKey: page[page.length - 1]!.id } : {}),
    };
  }
}
