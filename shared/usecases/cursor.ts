import { ValidationError } from '../domain/errors.js';

/** A stable fingerprint of the filters a cursor was issued for: a cursor cannot be replayed on another query. */
function fingerprint(filter: object): string {
  const entries = Object.entries(filter)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  let h = 0x811c9dc5;
  for (const ch of JSON.stringify(entries)) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/** Opaque keyset cursor: the last key of the page and the query it belongs to. */
export function encodeCursor(lastKey: string, filter: object): string {
  return Buffer.from(JSON.stringify({ k: lastKey, f: fingerprint(filter) })).toString('base64url');
}

export function decodeCursor(cursor: string, filter: object): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    // Not JSON: `parsed` stays undefined, which the shape check below refuses as not a cursor.
  }
  const c = parsed as { k?: unknown; f?: unknown };
  if (typeof c?.k !== 'string' || typeof c.f !== 'string') {
    throw new ValidationError('bad cursor', [
      { path: 'query.cursor', problem: 'is not a cursor issued by this API' },
    ]);
  }
  if (c.f !== fingerprint(filter)) {
    throw new ValidationError('cursor from another query', [
      { path: 'query.cursor', problem: 'was issued for different filters; start again without a cursor' },
    ]);
  }
  return c.k;
}
