import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { featuresOf } from '../../infra/aws/bundling.js';
import { ROUTES } from '../../shared/http/routes.js';
import { bundleHandler } from '../bench/coldstart.js';

const out = mkdtempSync(join(tmpdir(), 'accord-vendor-bundles-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const actionsOf = (handler: string) =>
  ROUTES.filter((r) => r.handler === handler).flatMap((r) => (r.action ? [r.action] : []));
/** A message only the vendor use cases carry: their presence in a bundle. */
const VENDOR_CODE = 'the API key was revoked or has expired';

describe('the vendor use cases in Lambda bundles', () => {
  it('are compiled into every function that ingests telemetry, manages vendors or authorizes them, and no other', () => {
    for (const handler of new Set(ROUTES.map((r) => r.handler))) {
      const actions = actionsOf(handler);
      const needs =
        handler.startsWith('vendors/') ||
        actions.some((a) => a === 'telemetry.ingest' || a.startsWith('vendor.'));
      expect(featuresOf(handler, actions).vendors, handler).toBe(needs);
    }
    expect(featuresOf('authorizers/vendor').vendors).toBe(true);
  });

  it('are in the bundle of the Datadog series intake and the authorizer, and out of an objectives handler', async () => {
    const read = async (h: string) => readFileSync(await bundleHandler(h, out), 'utf8');
    expect(await read('telemetry/datadog-series')).toContain(VENDOR_CODE);
    expect(await read('authorizers/vendor')).toContain(VENDOR_CODE);
    expect(await read('objectives/budget-history')).not.toContain(VENDOR_CODE);
  });
});
