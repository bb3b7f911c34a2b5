import { z } from 'zod';

/**
 * An API Gateway model (JSON Schema draft 4) from a route's zod schema: API Gateway rejects a malformed body
 * before a function runs, and the function validates again with the same schema (refinements included).
 * Input shape: fields with defaults are optional. `$schema` is left to CDK, which writes draft 4.
 */
export function apiGatewayModel(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _s, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-4',
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
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
