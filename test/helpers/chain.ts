import type { AgreementVersion } from '../../shared/schemas/agreement.js';
import { agreementVersion } from './fixtures.js';

/**
 * The chain tests' underpinning contract: agr_01UC0000000000000001, an active UC the vendor card-processor (Card
 * Processor SA) gives the payments unit (the fixture SLA's provider).
 */
export function cardProcessorUc(over: Partial<AgreementVersion> = {}): AgreementVersion {
  return agreementVersion({
    id: 'agr_01UC0000000000000001',
    kind: 'UC',
    status: 'active',
    parties: {
      provider: { type: 'vendor', vendorId: 'card-processor', name: 'Card Processor SA' },
      customer: { type: 'business-unit', businessUnit: 'payments' },
    },
    ...over,
  });
}
