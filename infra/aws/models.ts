import { z } from 'zod';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * An API Gateway model (JSON Schema draft 4) from a route's zod schema: API Gateway rejects a malformed body
 * before a function runs, and the function validates again with the same schema (refinements included).
 * Input shape: fields with defaults are optional. `$schema` is left to CDK, which writes draft 4.
 *
 * The model must never refuse a body the zod schema accepts (the two deployments would then answer
 * differently), so what `z.toJSONSchema` writes is loosened where API Gateway's validator reads it otherwise:
 * - `"type": "integer"` becomes `"type": "number"` with `"multipleOf": 1`. API Gateway types a number by how it
 *   is written: `2.0` and `2e0` are numbers, not integers, there, while `JSON.parse` (and so zod) sees 2.
 * - `format` is dropped. zod writes a `pattern` with its own grammar beside each format; the validator's own
 *   idea of `date-time` or `email` is not zod's.
 * - `oneOf` becomes `anyOf`: zod takes the first branch that fits, and refuses nothing because two fit.
 * What the model leaves to the function: refinements, cross-field rules and anything zod transforms.
 */
export function apiGatewayModel(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-4',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, Json>;
  return loosen(rest) as Record<string, unknown>;
}

/** Keywords whose value is a schema, a list of schemas or a map of schemas (draft 4). */
const SCHEMA = new Set(['items', 'additionalItems', 'additionalProperties', 'not']);
const SCHEMA_LIST = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAP = new Set(['properties', 'patternProperties', 'definitions']);

function loosen(node: Json): Json {
  if (Array.isArray(node)) return node.map(loosen);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'format') continue;
    const key = k === 'oneOf' ? 'anyOf' : k;
    if (SCHEMA.has(k) || SCHEMA_LIST.has(k)) out[key] = loosen(v);
    else if (SCHEMA_MAP.has(k) && v && typeof v === 'object' && !Array.isArray(v))
      out[key] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, loosen(s)]));
    else out[key] = v;
  }
  const types = Array.isArray(out.type) ? out.type : out.type === undefined ? [] : [out.type];
  if (types.includes('integer')) {
    const others = types.filter((t) => t !== 'integer' && t !== 'number');
    out.type = others.length ? ['number', ...others] : 'number';
    // multipleOf constrains numbers only, so it leaves a nullable integer's null alone.
    const m = out.multipleOf;
    if (m === undefined) out.multipleOf = 1;
    else if (!(typeof m === 'number' && Number.isInteger(m) && m >= 1))
      out.allOf = [...((out.allOf as Json[] | undefined) ?? []), { multipleOf: 1 }];
  }
  return out;
}

/** Query-string parameters a route's query schema names, with whether each is required. */
export function queryParameters(schema: z.ZodType | undefined): Record<string, boolean> {
  if (!schema) return {};
  const js = z.toJSONSchema(schema, { target: 'draft-4', io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const required = new Set(js.required ?? []);
  return Object.fromEntries(Object.keys(js.properties ?? {}).map((k) => [k, required.has(k)]));
}
