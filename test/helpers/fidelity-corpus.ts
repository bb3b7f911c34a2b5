import AjvDraft4 from 'ajv-draft-04';
import { apiGatewayModel } from '../../infra/aws/models.js';
import type { Action } from '../../shared/domain/access/policy.js';
import { ROUTES, type RouteSpec } from '../../shared/http/routes.js';
import { exampleBody, exampleQuery } from './route-examples.js';

const Ajv = (AjvDraft4 as unknown as { default: typeof AjvDraft4.default }).default;
const ajv = new Ajv({ strict: false, validateFormats: false });

/** Who sends a case: a role allowed the route's action, one without it, nobody, a forged token, the vendor. */
export type Sender = 'allowed' | 'forbidden' | 'anonymous' | 'forged' | 'vendor';

/** What both deployments must answer, where the issue fixes it (otherwise only that they agree). */
export type Expectation = number | { not: number };

/** One request of the fidelity corpus, sent alike to the local server and to the emulated API Gateway. */
export interface FidelityCase {
  name: string;
  method: string;
  /** The route path with `{params}` (filled per deployment). */
  path: string;
  query?: string;
  as: Sender;
  /** The action the route needs (who is "allowed" or "forbidden" follows from it). */
  action?: Action;
  /** undefined: application/json when there is a body; null: no Content-Type at all. */
  contentType?: string | null;
  body?: string;
  /** The If-Match header; absent: none. */
  ifMatch?: string;
  headers?: Record<string, string>;
  expect?: Expectation;
}

/** A number as written in the JSON text (`2.0`, `2e0`), for cases JSON.stringify cannot write. */
class Lexeme {
  constructor(readonly text: string) {}
}

/** JSON text with Lexeme values written as their own text. */
export function writeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (v instanceof Lexeme ? `@@lexeme(${v.text})@@` : v)).replace(
    /"@@lexeme\(([^)]*)\)@@"/g,
    '$1',
  );
}

type Schema = Record<string, unknown>;
type Path = (string | number)[];
interface Mutation {
  name: string;
  path: Path;
  /** undefined: remove the field. */
  value?: unknown;
  remove?: boolean;
  expect?: Expectation;
}

const show = (p: Path) =>
  p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : String(k)), '') ||
  '(body)';

function typesOf(s: Schema): string[] {
  return Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
}

/** The branch of an anyOf that the value takes (zod takes the first that fits). */
function branch(s: Schema, value: unknown): Schema | undefined {
  if (!Array.isArray(s.anyOf)) return s;
  return (s.anyOf as Schema[]).find((b) => ajv.validate(b, value));
}

function wrongType(s: Schema): unknown {
  const t = typesOf(s);
  if (t.includes('string')) return 12345;
  if (t.includes('number') || t.includes('integer')) return '12';
  if (t.includes('boolean')) return 'yes';
  if (t.includes('object')) return ['not', 'an', 'object'];
  if (t.includes('array')) return { not: 'an array' };
  return undefined;
}

/**
 * Invalid (and awkward but valid) variants of a body, found by walking its request schema beside a valid
 * example: each required field left out, each field of the wrong type or null, strings past their limits
 * (also only before trimming), patterns and enums missed, numbers out of bounds, integers written `2.0`, `2e0`
 * and `2.5`, unknown fields, arrays over their limits. Absent optional fields get a wrong type and an
 * over-long string.
 */
export function mutationsOf(schema: Schema, value: unknown, path: Path = [], required = false): Mutation[] {
  const out: Mutation[] = [];
  const s = branch(schema, value) ?? schema;
  const at = show(path);
  if (path.length) {
    if (required) out.push({ name: `without ${at}`, path, remove: true, expect: 400 });
    if (!typesOf(s).includes('null')) out.push({ name: `${at} null`, path, value: null, expect: 400 });
    const wrong = wrongType(s);
    if (wrong !== undefined) out.push({ name: `${at} of the wrong type`, path, value: wrong, expect: 400 });
  }
  const t = typesOf(s);
  if (t.includes('string') && typeof value === 'string') {
    const max = s.maxLength as number | undefined;
    const min = (s.minLength as number | undefined) ?? 0;
    const free = s.pattern === undefined && s.enum === undefined;
    if (max !== undefined && max <= 20_000) {
      out.push({ name: `${at} one character too long`, path, value: 'x'.repeat(max + 1), expect: 400 });
      // Length max + 1 as sent, max - 2 once trimmed: refused on both (limits count the string as sent).
      if (free && max - 2 >= Math.max(min, 1))
        out.push({
          name: `${at} too long only before trimming`,
          path,
          value: `${'x'.repeat(max - 2)}   `,
          expect: 400,
        });
    }
    if (min >= 2 && free)
      out.push({ name: `${at} one character too short`, path, value: 'x'.repeat(min - 1), expect: 400 });
    if (free && min >= 1)
      out.push({ name: `${at} only whitespace`, path, value: ' '.repeat(Math.max(min, 3)) });
    if (s.pattern !== undefined)
      out.push({ name: `${at} not matching its pattern`, path, value: '!no match!', expect: 400 });
    if (Array.isArray(s.enum))
      out.push({ name: `${at} not one of its values`, path, value: 'not-a-value', expect: 400 });
  }
  if ((t.includes('number') || t.includes('integer')) && typeof value === 'number') {
    const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = s as Record<string, unknown>;
    if (typeof minimum === 'number')
      out.push({
        name: `${at} below its minimum`,
        path,
        value: exclusiveMinimum ? minimum : minimum - 1,
        expect: 400,
      });
    if (typeof maximum === 'number')
      out.push({
        name: `${at} above its maximum`,
        path,
        value: exclusiveMaximum ? maximum : maximum + 1,
        expect: 400,
      });
    const step = typeof multipleOf === 'number' && Number.isInteger(multipleOf) ? multipleOf : undefined;
    if ((t.includes('integer') || step !== undefined) && Number.isInteger(value)) {
      out.push({
        name: `${at} written ${value}.0`,
        path,
        value: new Lexeme(`${value}.0`),
        expect: { not: 400 },
      });
      out.push({
        name: `${at} written ${value}e0`,
        path,
        value: new Lexeme(`${value}e0`),
        expect: { not: 400 },
      });
      out.push({ name: `${at} not a whole multiple`, path, value: value + (step ?? 1) / 2, expect: 400 });
    }
  }
  if (t.includes('object') && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    const req = new Set((s.required as string[] | undefined) ?? []);
    for (const [k, sub] of Object.entries(props)) {
      if (k in value) {
        out.push(...mutationsOf(sub, (value as Record<string, unknown>)[k], [...path, k], req.has(k)));
        continue;
      }
      const wrong = wrongType(sub);
      if (wrong !== undefined)
        out.push({
          name: `${show([...path, k])} (optional) of the wrong type`,
          path: [...path, k],
          value: wrong,
          expect: 400,
        });
      if (typesOf(sub).includes('string') && typeof sub.maxLength === 'number' && sub.maxLength <= 20_000)
        out.push({
          name: `${show([...path, k])} (optional) one character too long`,
          path: [...path, k],
          value: 'x'.repeat(sub.maxLength + 1),
          expect: 400,
        });
    }
    if (s.additionalProperties === false)
      out.push({
        name: `${at} with an unknown field`,
        path: [...path, 'unexpectedField'],
        value: 1,
        expect: 400,
      });
  }
  if (t.includes('array') && Array.isArray(value)) {
    const items = s.items as Schema | undefined;
    if (items && value.length) out.push(...mutationsOf(items, value[0], [...path, 0], false));
    const maxItems = s.maxItems as number | undefined;
    if (maxItems !== undefined && maxItems <= 120 && value.length)
      out.push({
        name: `${at} with one item too many`,
        path,
        value: Array(maxItems + 1).fill(value[0]),
        expect: 400,
      });
    if (((s.minItems as number | undefined) ?? 0) >= 1)
      out.push({ name: `${at} empty`, path, value: [], expect: 400 });
  }
  return out;
}

function apply(body: unknown, m: Mutation): unknown {
  const copy = structuredClone(body);
  if (!m.path.length) return m.value;
  let node = copy as Record<string | number, unknown>;
  for (const k of m.path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = m.path[m.path.length - 1]!;
  if (m.remove) delete node[last];
  else node[last] = m.value;
  return copy;
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The corpus for one route: edge cases (auth, order, media types, route misses, CORS) and its body's variants. */
export function corpusFor(route: RouteSpec, forbiddenExists: (a: Action) => boolean): FidelityCase[] {
  const me: Sender = route.auth === 'vendor' ? 'vendor' : route.auth === 'user' ? 'allowed' : 'anonymous';
  const base = {
    method: route.method,
    path: route.path,
    as: me,
    ...(route.action ? { action: route.action } : {}),
    ...(route.ifMatch ? { ifMatch: '"999"' } : {}),
    ...(exampleQuery(route) ? { query: exampleQuery(route) } : {}),
  };
  const example = exampleBody(route);
  const body = example === undefined ? undefined : writeJson(example);
  const cases: FidelityCase[] = [{ ...base, name: 'a valid request', ...(body ? { body } : {}) }];
  const invalid = '{"unexpectedField": 1}';
  if (route.auth !== 'none') {
    cases.push({ ...base, name: 'no credentials', as: 'anonymous', ...(body ? { body } : {}), expect: 401 });
    cases.push({ ...base, name: 'a forged token', as: 'forged', ...(body ? { body } : {}), expect: 401 });
    if (body)
      cases.push({
        ...base,
        name: 'an invalid body and no credentials',
        as: 'anonymous',
        body: invalid,
        expect: 401,
      });
  }
  if (route.auth === 'user' && route.action && forbiddenExists(route.action)) {
    cases.push({
      ...base,
      name: 'a role without the action',
      as: 'forbidden',
      ...(body ? { body } : {}),
      expect: 403,
    });
    if (body)
      cases.push({
        ...base,
        name: 'an invalid body from a role without the action',
        as: 'forbidden',
        body: invalid,
        expect: 400,
      });
  }
  if (route.ifMatch)
    cases.push({ ...base, name: 'no If-Match', ifMatch: undefined, ...(body ? { body } : {}), expect: 428 });
  if (body) {
    // No Content-Type is JSON on both: API Gateway picks the application/json model, the handler parses JSON.
    cases.push({
      ...base,
      name: 'a valid body without Content-Type',
      body,
      contentType: null,
      expect: { not: 415 },
    });
    cases.push({
      ...base,
      name: 'an invalid body without Content-Type',
      body: invalid,
      contentType: null,
      expect: 400,
    });
    cases.push({
      ...base,
      name: 'a valid body labelled text/plain',
      body,
      contentType: 'text/plain',
      expect: 415,
    });
    cases.push({
      ...base,
      name: 'a valid body labelled application/json; charset=utf-8',
      body,
      contentType: 'application/json; charset=utf-8',
    });
    cases.push({ ...base, name: 'malformed JSON', body: '{"reason": "unfinished', expect: 400 });
    // Over the route's size limit and invalid: API Gateway's model refuses it before the Lambda can say 413.
    if (!route.binary)
      cases.push({
        ...base,
        name: 'an invalid body over the size limit',
        body: JSON.stringify({ unexpectedField: 'x'.repeat((route.maxBodyBytes ?? 256 * 1024) + 1) }),
        expect: 400,
      });
    cases.push({ ...base, name: 'an empty body', body: '', expect: 400 });
    cases.push({ ...base, name: 'a JSON array', body: '[]', expect: 400 });
    for (const m of mutationsOf(apiGatewayModel(route.body!), example))
      cases.push({
        ...base,
        name: m.name,
        body: writeJson(apply(example, m)),
        ...(m.expect ? { expect: m.expect } : {}),
      });
  }
  cases.push({
    ...base,
    name: 'an unknown query parameter',
    query: [base.query, 'colour=red'].filter(Boolean).join('&'),
    ...(body ? { body } : {}),
  });
  if (route.path.includes('{'))
    cases.push({
      ...base,
      name: 'a malformed path parameter',
      path: route.path.replace(/\{\w+\}/, 'not!an!id'),
      ...(body ? { body } : {}),
    });
  // Route misses, wrong methods and a browser's CORS preflight: one 404 on both.
  cases.push({
    ...base,
    name: 'an unknown path below it',
    path: `${route.path}/nothing-here/further`,
    expect: 404,
  });
  for (const method of OTHER_METHODS) {
    if (ROUTES.some((r) => r.path === route.path && r.method === method)) continue;
    if (ROUTES.find((r) => r.path === route.path) !== route) continue; // once per path
    cases.push({ ...base, name: `${method}, a method the path does not have`, method, expect: 404 });
  }
  if (ROUTES.find((r) => r.path === route.path) === route)
    cases.push({ ...base, name: 'a trailing slash', path: `${route.path}/`, expect: 404 });
  if (ROUTES.find((r) => r.path === route.path) === route)
    cases.push({
      ...base,
      name: 'a CORS preflight',
      method: 'OPTIONS',
      headers: { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': route.method },
      expect: 404,
    });
  // Binary routes have no gateway model and read their formats themselves: their answers only have to agree.
  const checked = route.binary
    ? cases.map((c) =>
        c.body !== undefined && c.expect !== 401 && c.expect !== 403 ? { ...c, expect: undefined } : c,
      )
    : cases;
  return checked.map((c) => (c.ifMatch === undefined ? (({ ifMatch: _i, ...rest }) => rest)(c) : c));
}
