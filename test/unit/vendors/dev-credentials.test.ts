import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureDevCredentials } from '../../../infra/local/credentials.js';
import { LocalTokenIssuer } from '../../../infra/local/jwt.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import { MemoryVendorStore } from '../../../shared/adapters/memory/vendors.js';
import { VendorUseCases } from '../../../shared/usecases/vendors.js';
import { service } from '../../helpers/fixtures.js';

let dir: string;
let file: string;
let store: MemoryVendorStore;
let vendors: VendorUseCases;
let tokens: LocalTokenIssuer;
let keyDir: string;
let n = 0;

// One signing key for the file (an RSA key takes a while to make); a fresh data directory per test.
beforeAll(() => {
  keyDir = mkdtempSync(join(tmpdir(), 'accord-dev-key-'));
  tokens = LocalTokenIssuer.loadOrCreate(join(keyDir, 'signing-key.pem'));
});
afterAll(() => rmSync(keyDir, { recursive: true, force: true }));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accord-dev-credentials-'));
  file = join(dir, 'dev-credentials.json');
  // The real vendor use cases over the memory stores: what `npm start` provisions, without SQLite.
  const usagePlans = {
    enrol: async (id: string) => ({ usagePlanKeyId: `apikey-${id}`, usageKey: `usage-${id}` }),
    withdraw: async () => {},
  };
  const services = new MemoryServiceStore();
  await services.create(service());
  store = new MemoryVendorStore();
  const clock = { now: () => new Date('2026-03-02T09:00:00Z') };
  vendors = new VendorUseCases({
    vendors: store,
    services,
    usagePlans,
    clock,
    ids: { next: () => `01TEST${String(++n).padStart(8, '0')}` },
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const handWritten = (vendor: unknown) => writeFileSync(file, JSON.stringify({ vendor }));
const KEY = 'ak_Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZm9vYmFy';

describe('the dev-credentials file a bench or a test writes by hand', () => {
  it('gives its vendor the shipped tier it names', async () => {
    handWritten({
      vendorId: 'bench-vendor',
      tier: 'premium',
      apiKey: KEY,
      services: ['svc_payments-gateway'],
    });
    const out = await ensureDevCredentials(file, tokens, vendors);
    expect(out.vendor).toEqual({
      vendorId: 'bench-vendor',
      tier: 'premium',
      apiKey: KEY,
      services: ['svc_payments-gateway'],
    });
    expect((await store.get('bench-vendor'))?.tier).toBe('premium');
  });

  it('gives the standard tier to a vendor whose file names none', async () => {
    handWritten({ vendorId: 'bench-vendor', apiKey: KEY, services: ['svc_payments-gateway'] });
    expect((await ensureDevCredentials(file, tokens, vendors)).vendor.tier).toBe('standard');
  });

  it('refuses a tier that is not shipped, naming the file, the vendor, the tier and the shipped tiers', async () => {
    // The ingest bench once named a `bench` tier: it became `standard` (50 requests/s) without a word.
    handWritten({ vendorId: 'bench-vendor', tier: 'bench', apiKey: KEY, services: ['svc_payments-gateway'] });
    const refused = ensureDevCredentials(file, tokens, vendors);
    await expect(refused).rejects.toThrow(file);
    await expect(refused).rejects.toThrow(
      /vendor bench-vendor names tier "bench", which is not a shipped tier/,
    );
    await expect(refused).rejects.toThrow(/one of standard, premium, trial/);
    expect(await store.get('bench-vendor')).toBeUndefined();
  });

  it('refuses a tier in the wrong case rather than guessing which one was meant', async () => {
    handWritten({ tier: 'Premium' });
    await expect(ensureDevCredentials(file, tokens, vendors)).rejects.toThrow(
      /vendor prometheus-main names tier "Premium"/,
    );
  });

  it('refuses a tier that is not a string', async () => {
    handWritten({ vendorId: 'bench-vendor', tier: 2 });
    await expect(ensureDevCredentials(file, tokens, vendors)).rejects.toThrow(/names tier 2, which is not/);
  });

  it('refuses services that are not a list of service ids instead of binding the demo portfolio', async () => {
    handWritten({ vendorId: 'bench-vendor', tier: 'standard', services: 'svc_payments-gateway' });
    await expect(ensureDevCredentials(file, tokens, vendors)).rejects.toThrow(
      /vendor\.services has the wrong type/,
    );
  });

  it('refuses a vendor that is not an object', async () => {
    handWritten('bench-vendor');
    await expect(ensureDevCredentials(file, tokens, vendors)).rejects.toThrow(/vendor must be an object/);
  });

  it('refuses a file that is not JSON instead of replacing its vendor key', async () => {
    writeFileSync(file, '{"vendor": {"vendorId": "bench-vendor",');
    await expect(ensureDevCredentials(file, tokens, vendors)).rejects.toThrow(
      /dev-credentials\.json is not JSON .*delete it to have a new one written/,
    );
    expect(readFileSync(file, 'utf8')).toBe('{"vendor": {"vendorId": "bench-vendor",');
  });

  it('is written on first start with the development vendor in the standard tier, and read back unchanged', async () => {
    const first = await ensureDevCredentials(file, tokens, vendors);
    expect(first.vendor.vendorId).toBe('prometheus-main');
    expect(first.vendor.tier).toBe('standard');
    const again = await ensureDevCredentials(file, tokens, vendors);
    expect(again.vendor).toEqual(first.vendor);
    expect(JSON.parse(readFileSync(file, 'utf8')).vendor).toEqual(first.vendor);
  });
});
