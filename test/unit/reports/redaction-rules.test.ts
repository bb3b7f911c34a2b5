import { describe, expect, it } from 'vitest';
import type { AgreementInfo } from '../../../shared/domain/reports/figures.js';
import type { ReportModel } from '../../../shared/domain/reports/model.js';
import {
  maskColumns,
  PROVIDER_SIGNATURE,
  requestableAudiences,
  visibleTo,
} from '../../../shared/domain/reports/redaction.js';

const agreement = (over: Partial<AgreementInfo>): AgreementInfo => ({
  id: 'agr_01RED',
  version: 1,
  kind: 'SLA',
  title: 'T',
  serviceId: 'svc_a',
  serviceName: 'A',
  businessUnit: 'payments',
  region: 'eu-west-1',
  tier: 1,
  timeZone: 'UTC',
  provider: { type: 'business-unit', id: 'payments', name: 'payments' },
  customer: { type: 'business-unit', id: 'retail', name: 'retail' },
  underpinnedBy: [],
  objectives: [],
  ...over,
});

describe('which agreements an audience sees', () => {
  const sla = agreement({});
  const uc = agreement({ kind: 'UC', provider: { type: 'vendor', id: 'ven_acme', name: 'Acme' } });

  it('sees every agreement of its kinds with rows "all", and none of another kind', () => {
    const rule = { kinds: ['SLA' as const, 'OLA' as const], rows: 'all' as const, hide: [] };
    expect(visibleTo(rule, undefined, sla)).toBe(true);
    expect(visibleTo(rule, undefined, uc)).toBe(false);
  });

  it('sees, as a customer, only the agreements whose customer is its own business unit, and nothing without a party', () => {
    const rule = { kinds: ['SLA' as const], rows: 'own-customer' as const, hide: [] };
    expect(visibleTo(rule, 'retail', sla)).toBe(true);
    expect(visibleTo(rule, 'payments', sla)).toBe(false);
    expect(visibleTo(rule, undefined, sla)).toBe(false);
    // A vendor customer with the same id is not the business unit.
    expect(
      visibleTo(
        rule,
        'retail',
        agreement({ customer: { type: 'vendor', id: 'retail', name: 'Retail Ltd' } }),
      ),
    ).toBe(false);
  });

  it('sees, as a vendor, only the UCs it provides, and nothing without a party', () => {
    const rule = { kinds: ['UC' as const], rows: 'own-vendor' as const, hide: [] };
    expect(visibleTo(rule, 'ven_acme', uc)).toBe(true);
    expect(visibleTo(rule, 'ven_other', uc)).toBe(false);
    expect(visibleTo(rule, undefined, uc)).toBe(false);
    // A business unit provider with the vendor's id is not the vendor.
    expect(
      visibleTo(
        rule,
        'ven_acme',
        agreement({ kind: 'UC', provider: { type: 'business-unit', id: 'ven_acme', name: 'x' } }),
      ),
    ).toBe(false);
  });
});

describe('masking the columns an audience may not see', () => {
  const model = {
    commentary: [
      {
        agreementId: 'agr_1',
        objectiveId: 'availability',
        author: 'Owen <owen@bank.example>',
        at: 'x',
        text: 'Why',
      },
    ],
    sections: [
      {
        id: 's',
        title: 'S',
        paragraphs: ['p'],
        charts: [],
        tables: [
          {
            id: 't',
            title: 'T',
            empty: 'none',
            columns: [
              { key: 'agreement', label: 'Agreement' },
              { key: 'owner', label: 'Owner', class: 'internal-contact' as const },
              { key: 'charge', label: 'Charge', class: 'cost' as const },
            ],
            rows: [
              [
                { t: 'text' as const, v: 'agr_1' },
                { t: 'text' as const, v: 'Owen' },
                { t: 'money' as const, v: 12.5, currency: 'EUR' },
              ],
            ],
          },
        ],
      },
    ],
  } as unknown as ReportModel;

  it('removes each hidden class’s header and cells together, keeping unclassed and unhidden columns in order', () => {
    const t = maskColumns(model, ['cost']).sections[0]!.tables[0]!;
    expect(t.columns.map((c) => c.key)).toEqual(['agreement', 'owner']);
    expect(t.rows).toEqual([
      [
        { t: 'text', v: 'agr_1' },
        { t: 'text', v: 'Owen' },
      ],
    ]);
    expect(maskColumns(model, ['cost']).commentary[0]!.author).toBe('Owen <owen@bank.example>');
  });

  it('signs commentary by “the service provider” when internal contacts are hidden, keeping its text', () => {
    const m = maskColumns(model, ['internal-contact']);
    expect(PROVIDER_SIGNATURE).toBe('the service provider');
    expect(m.commentary).toEqual([
      {
        agreementId: 'agr_1',
        objectiveId: 'availability',
        author: 'the service provider',
        at: 'x',
        text: 'Why',
      },
    ]);
    expect(m.sections[0]!.tables[0]!.columns.map((c) => c.key)).toEqual(['agreement', 'charge']);
    expect(m.sections[0]!.paragraphs).toEqual(['p']);
  });

  it('hands back the model itself when nothing is hidden', () => {
    expect(maskColumns(model, [])).toBe(model);
  });
});

describe('the audiences a caller may ask for', () => {
  it('is the union over its roles without repeats, in the order first named, and nothing for an unknown role', () => {
    const by = {
      'sla-manager': ['internal', 'customer'] as const,
      auditor: ['auditor', 'internal'] as const,
    };
    expect(requestableAudiences(by, ['auditor', 'nobody', 'sla-manager'])).toEqual([
      'auditor',
      'internal',
      'customer',
    ]);
    expect(requestableAudiences(by, ['nobody'])).toEqual([]);
  });
});
