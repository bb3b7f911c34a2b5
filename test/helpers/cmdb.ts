import { readFileSync } from 'node:fs';
import { serviceBody } from './fixtures.js';

/** The ServiceNow cmdb_ci_service export of test/fixtures/cmdb, as JSON (its `result` records) and as CSV. */
export const CMDB_JSON_EXPORT = readFileSync(
  new URL('../fixtures/cmdb/cmdb_ci_service.json', import.meta.url),
  'utf8',
);
export const CMDB_CSV_EXPORT = readFileSync(
  new URL('../fixtures/cmdb/cmdb_ci_service.csv', import.meta.url),
  'utf8',
);
/** The CSV export without its bad last row (line 7, no sys_id). */
export const CMDB_CLEAN_CSV = CMDB_CSV_EXPORT.trimEnd().split('\n').slice(0, -1).join('\n');

/**
 * The services Accord holds before the export is synced, as registration bodies. Against the export, svc_fraud-scoring's
 * owner, svc_statement-printing's tier and svc_payment-gateway's business unit have drifted, svc_branch-kiosk is not in
 * the CMDB, and svc_card-authorisation is in step.
 */
export function servicesBeforeCmdbSync() {
  const owner = (name: string, email: string) => ({ name, email });
  return [
    serviceBody({
      id: 'svc_card-authorisation',
      name: 'Card Authorisation',
      description: 'Authorises card payments at the point of sale',
      cmdbCi: '0b1f0d3a1b2c4d5e6f70819a2b3c4d5e',
      owner: owner('Owen Service', 'owen.service@accord.local'),
    }),
    serviceBody({
      id: 'svc_fraud-scoring',
      name: 'Fraud Scoring',
      tier: 2,
      description: 'Scores transactions for fraud',
      owner: owner('Fay Fraud', 'fay@old.example'),
    }),
    serviceBody({
      id: 'svc_statement-printing',
      name: 'Statement printing',
      tier: 2,
      cmdbCi: '2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a',
      owner: owner('Petra Print', 'petra.print@accord.local'),
    }),
    serviceBody({
      id: 'svc_payment-gateway',
      name: 'Payment Gateway',
      tier: 4,
      businessUnit: 'retail-banking',
      cmdbCi: '3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b',
      owner: owner('Gail Gateway', 'gail.gateway@accord.local'),
    }),
    serviceBody({
      id: 'svc_branch-kiosk',
      name: 'Branch Kiosk',
      tier: 3,
      owner: owner('Kim Kiosk', 'kim@accord.local'),
    }),
  ];
}
