import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../shared/policy/templates.js';
import templatesJson from '../../../shared/policy/templates.json' with { type: 'json' };

describe('the template catalogue (shared/policy/templates.json), validated on load', () => {
  it('loads the shipped templates: each version makes a valid agreement', () => {
    expect(loadTemplates().templates.map((t) => `${t.id}@${t.version}`)).toEqual([
      'tier1-customer-api-sla@1',
      'tier1-customer-api-sla@2',
      'internal-network-ola@1',
      'cloud-provider-uc@1',
    ]);
  });

  it('refuses a template whose content cannot make a valid agreement, naming it and the field', () => {
    const broken = structuredClone(templatesJson);
    (broken.templates[2]!.content.objectives[0] as { target: number }).target = 120;
    expect(() => loadTemplates(broken)).toThrow(
      /internal-network-ola@1 does not make a valid agreement: objectives\.0\.target/,
    );
  });

  it('refuses the same version of a template twice, and a field a template may not hold', () => {
    const twice = structuredClone(templatesJson);
    twice.templates.push(structuredClone(twice.templates[0]!));
    expect(() => loadTemplates(twice)).toThrow('tier1-customer-api-sla@1 appears twice');
    const placed = structuredClone(templatesJson);
    (placed.templates[0]!.content as Record<string, unknown>).serviceId = 'svc_x';
    expect(() => loadTemplates(placed)).toThrow(/templates\.0\.content: holds only agreement fields/);
  });
});
