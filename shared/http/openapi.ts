import { z } from 'zod';
import { ROUTES } from './routes.js';

const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), problem: z.string() })),
  }),
  requestId: z.string(),
});

function schema(s: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

/** Vendor routes take the key in any of these (shared/domain/vendors/credentials.ts). */
const VENDOR_SECURITY = [
  { vendorBearer: [] },
  { vendorBasic: [] },
  { vendorDatadog: [] },
  { vendorApiKey: [] },
];

/**
 * The OpenAPI 3.1 document, generated from the route table and the zod schemas: never written by hand.
 * `basePath` is where the API is mounted as the client reached it (`/live` on the execute-api domain, a custom
 * domain's base path, `''` locally): the one server, relative to the host that served the document.
 */
export function buildOpenApi(version: string, basePath = ''): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const q = schema(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(q.properties ?? {})) {
        params.push({
          name,
          in: 'query',
          required: (q.required ?? []).includes(name),
          schema: s as { type: string },
        });
      }
    }
    if (r.ifMatch)
      params.push({ name: 'If-Match', in: 'header', required: true, schema: { type: 'string' } });
    const errors = Object.fromEntries(
      ['400', '401', '403', '404', '409', '413', '415', '422', '428', '429'].map((c) => [
        c,
        {
          description: 'See error.details for the field path and the problem',
          ...(c === '429'
            ? {
                headers: {
                  'Retry-After': {
                    description: 'Seconds to wait before retrying',
                    schema: { type: 'integer', minimum: 1 },
                  },
                },
              }
            : {}),
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      ]),
    );
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      operationId: r.id,
      summary: r.summary,
      ...(r.auth === 'none'
        ? { security: [] }
        : { security: r.auth === 'vendor' ? VENDOR_SECURITY : [{ bearer: [] }] }),
      ...(r.action ? { 'x-accord-action': r.action } : {}),
      parameters: params,
      ...(r.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schema(r.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(r.successStatus ?? 200)]: {
          description: 'Success',
          ...(r.response
            ? { content: { 'application/json': { schema: schema(r.response, 'output') } } }
            : {}),
        },
        ...(r.auth === 'none' ? {} : errors),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Accord',
      version,
      description: 'The system of record for service agreements (SLAs, OLAs, UCs).',
    },
    servers: [{ url: basePath || '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        // A vendor's API key, in whichever of these its client can send (any one of them).
        vendorBearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <vendor key>' },
        vendorBasic: { type: 'http', scheme: 'basic', description: 'the password is the vendor key' },
        vendorDatadog: { type: 'apiKey', in: 'header', name: 'DD-API-KEY' },
        vendorApiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      schemas: { Error: schema(ErrorBody, 'output') },
    },
    paths,
  };
}
