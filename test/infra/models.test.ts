import AjvDraft4 from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { apiGatewayModel } from '../../infra/aws/models.js';
import { routeById } from '../../shared/http/routes.js';
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
