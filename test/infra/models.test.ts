import AjvDraft4 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiGatewayModel } from '../../infra/aws/models.js';
import { ROUTES, routeById } from '../../shared/http/routes.js';
import { agreementBody, serviceBody } from '../helpers/fixtures.js';

// API Gateway validates request models as JSON Schema draft 4; unknown formats are not enforced there.
// The package is CommonJS with `exports.default`: under NodeNext the class is the default's `default`.
const Ajv = (AjvDraft4 as unknown as { default: typeof AjvDraft4.default }).default;
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });

function modelOf(routeId: string) {
  const route = routeById(routeId);
  return ajv.compile({ $schema: 'http://json-schema.org/draft-04/schema#', ...apiGatewayModel(route.body!) });
}

describe('API Gateway request models generated from the zod schemas', () => {
  it('are valid draft-4 schemas that accept what the handler accepts', () => {
    const cases: [string, unknown][] = [
      ['services.create', serviceBody()],
      ['agreements.create', agreementBody()],
      ['agreements.update', { title: 'A clearer title', reason: 'clarify' }],
      ['agreements.submit', { reason: 'ready for sign-off' }],
      ['agreements.signoff', { capacity: 'legal', decision: 'approved', reason: 'terms reviewed' }],
    ];
    for (const [id, body] of cases) {
      expect(routeById(id).body!.safeParse(body).success, id).toBe(true);
      const validate = modelOf(id);
      expect(validate(body), `${id}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  it('reject at the gateway what the handler would reject: a missing field, a wrong type, an unknown field', () => {
    const validate = modelOf('agreements.create');
    const { title: _t, ...noTitle } = agreementBody();
    for (const bad of [
      noTitle,
      { ...agreementBody(), kind: 'XLA' },
      { ...agreementBody(), surprise: true },
    ]) {
      expect(routeById('agreements.create').body!.safeParse(bad).success).toBe(false);
      expect(validate(bad)).toBe(false);
    }
    expect(modelOf('services.create')({ ...serviceBody(), tier: 'one' })).toBe(false);
  });
});

describe('what the models leave to the function, so that they never refuse what zod accepts', () => {
  const models = ROUTES.filter((r) => r.body && !r.binary).map(
    (r) => [r.id, apiGatewayModel(r.body!)] as const,
  );

  it('say "number" with multipleOf 1 where zod says integer: API Gateway types 2.0 and 2e0 as non-integers', () => {
    for (const [id, m] of models) expect(JSON.stringify(m), id).not.toMatch(/"integer"/);
    const tier = (
      apiGatewayModel(routeById('services.create').body!) as { properties: Record<string, unknown> }
    ).properties.tier;
    expect(tier).toEqual({ type: 'number', minimum: 1, maximum: 4, multipleOf: 1 });
    // A step that is already whole keeps its own multipleOf.
    expect(apiGatewayModel(z.number().int().min(5).max(1440).multipleOf(5))).toEqual({
      type: 'number',
      minimum: 5,
      maximum: 1440,
      multipleOf: 5,
    });
    expect(apiGatewayModel(z.number().int().nullable())).toMatchObject({
      anyOf: [{ type: 'number', multipleOf: 1 }, { type: 'null' }],
    });
  });

  it('carry no format (zod writes its own pattern beside each) and no oneOf (zod takes the first branch that fits)', () => {
    for (const [id, m] of models) {
      expect(JSON.stringify(m), id).not.toMatch(/"format"|"oneOf"/);
    }
    expect(apiGatewayModel(z.object({ at: z.iso.datetime({ offset: true }) }))).toMatchObject({
      properties: { at: { type: 'string', pattern: expect.any(String) } },
    });
  });

  it('count a trimmed string’s maximum on the string as sent, as API Gateway can only do', () => {
    const reason = routeById('agreements.submit').body!;
    const padded = `${'x'.repeat(998)}   `; // 1,001 as sent, 998 once trimmed
    expect(reason.safeParse({ reason: padded }).success).toBe(false);
    expect(modelOf('agreements.submit')({ reason: padded })).toBe(false);
    expect(reason.safeParse({ reason: `  ${'x'.repeat(996)}  ` }).data).toEqual({ reason: 'x'.repeat(996) });
  });
});
