import type { FieldProblem } from '../errors.js';

/** Where a vendor's API key was found in a request. */
export type CredentialSource =
  | 'authorization-bearer'
  | 'authorization-basic'
  | 'dd-api-key'
  | 'x-api-key'
  | 'api_key-query';

/** What a request presents as a vendor credential: nothing, one key (possibly in several places), or garbage. */
export type PresentedKey =
  | { kind: 'none' }
  | { kind: 'key'; key: string; sources: CredentialSource[] }
  | { kind: 'malformed'; sources: CredentialSource[]; problem: FieldProblem };

/** Printable ASCII without spaces, as long as a key can sensibly be: what any header-borne key looks like. */
const KEY_SHAPE = /^[\x21-\x7e]{16,256}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The vendor API key a request carries, read the ways monitoring clients send one:
 * - `Authorization: Bearer <key>` (Prometheus `remote_write.authorization`, OpenTelemetry exporters' headers);
 * - `Authorization: Basic base64(username:password)` (Prometheus `remote_write.basic_auth`): the **password**
 *   carries the key and the username is not used (name the vendor there if you like); a basic credential with an
 *   empty password carries the key in the username, as some agents send it;
 * - `DD-API-KEY: <key>` (the Datadog Agent);
 * - `x-api-key: <key>` (generic agents, API Gateway's own convention);
 * - the `api_key` query parameter, only where `allowQueryKey` (the Datadog Agent's `GET /api/v1/validate?api_key=`).
 * Headers are named in lower case. Several places carrying the same key are fine; different keys are refused
 * (which one would be meant?), as are malformed values, each with the header at fault.
 */
export function presentedApiKey(
  headers: Readonly<Record<string, string | undefined>>,
  query: Readonly<Record<string, string | undefined>> = {},
  allowQueryKey = false,
): PresentedKey {
  const found: { source: CredentialSource; header: string; key?: string; problem?: string }[] = [];
  const authorization = headers.authorization?.trim();
  if (authorization) found.push(fromAuthorization(authorization));
  for (const [header, source] of [
    ['dd-api-key', 'dd-api-key'],
    ['x-api-key', 'x-api-key'],
  ] as const) {
    const v = headers[header]?.trim();
    if (v) found.push({ source, header, key: v });
  }
  const q = allowQueryKey ? query.api_key?.trim() : undefined;
  if (q) found.push({ source: 'api_key-query', header: 'query.api_key', key: q });
  if (found.length === 0) return { kind: 'none' };
  const sources = found.map((f) => f.source);
  for (const f of found) {
    if (f.problem) return { kind: 'malformed', sources, problem: { path: f.header, problem: f.problem } };
    if (!KEY_SHAPE.test(f.key!)) {
      return {
        kind: 'malformed',
        sources,
        problem: { path: f.header, problem: 'is not an API key (16-256 visible ASCII characters)' },
      };
    }
  }
  const keys = new Set(found.map((f) => f.key!));
  if (keys.size > 1) {
    return {
      kind: 'malformed',
      sources,
      problem: {
        path: found.map((f) => f.header).join(', '),
        problem: 'carry different API keys: send one key (in one place or the same key in each)',
      },
    };
  }
  return { kind: 'key', key: found[0]!.key!, sources };
}

/** `value`: the Authorization header, trimmed and not empty (so its scheme is never empty). */
function fromAuthorization(value: string): {
  source: CredentialSource;
  header: string;
  key?: string;
  problem?: string;
} {
  const header = 'Authorization';
  const [first, ...after] = value.split(' ');
  const scheme = first!.toLowerCase();
  const rest = after.join(' ').trim();
  if (scheme === 'bearer') {
    return rest
      ? { source: 'authorization-bearer', header, key: rest }
      : { source: 'authorization-bearer', header, problem: 'Bearer carries no key' };
  }
  if (scheme === 'basic') {
    const source = 'authorization-basic';
    if (!rest || !BASE64.test(rest)) return { source, header, problem: 'Basic credentials are not base64' };
    const decoded = Buffer.from(rest, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { source, header, problem: 'Basic credentials must be username:password' };
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const key = password || username;
    return key ? { source, header, key } : { source, header, problem: 'Basic credentials carry no key' };
  }
  return {
    source: 'authorization-bearer',
    header,
    problem: `the ${scheme} scheme is not accepted: send Bearer <key> or Basic credentials whose password is the key`,
  };
}

/**
 * The status a refused vendor credential gets. 401 everywhere (Prometheus treats it as permanent and drops the
 * batch, which is right for a key that will never work), except where a Datadog client presented its key the
 * Datadog way (DD-API-KEY, ?api_key=) on a Datadog path: Datadog answers 403 there, and the Agent reads 403 as
 * "invalid key" (validate) and drops the payload rather than retrying it forever.
 */
export function refusalStatus(datadogPath: boolean, sources: readonly CredentialSource[]): 401 | 403 {
  const datadogWay = sources.some((s) => s === 'dd-api-key' || s === 'api_key-query');
  return datadogPath && datadogWay ? 403 : 401;
}
