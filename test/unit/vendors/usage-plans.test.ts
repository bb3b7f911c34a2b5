import {
  APIGatewayClient,
  CreateApiKeyCommand,
  CreateUsagePlanKeyCommand,
  DeleteApiKeyCommand,
  GetUsagePlansCommand,
} from '@aws-sdk/client-api-gateway';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ApiGatewayUsagePlans } from '../../../shared/adapters/apigateway/usage-plans.js';

const gw = mockClient(APIGatewayClient);
const plans = () =>
  new ApiGatewayUsagePlans(new APIGatewayClient({ region: 'eu-west-1' }), {
    restApiId: 'abc123',
    stage: 'live',
    planNamePrefix: 'accord-vendor-',
  });

beforeEach(() => {
  gw.reset();
  gw.on(GetUsagePlansCommand).resolves({
    items: [
      // Another stack's plan with the same name must not be used.
      { id: 'other', name: 'accord-vendor-premium', apiStages: [{ apiId: 'zzz999', stage: 'live' }] },
      { id: 'p-std', name: 'accord-vendor-standard', apiStages: [{ apiId: 'abc123', stage: 'live' }] },
      { id: 'p-prem', name: 'accord-vendor-premium', apiStages: [{ apiId: 'abc123', stage: 'live' }] },
    ],
  });
  gw.on(CreateApiKeyCommand).resolves({ id: 'key-1' });
  gw.on(CreateUsagePlanKeyCommand).resolves({});
  gw.on(DeleteApiKeyCommand).resolves({});
});

describe('enrolling vendors in API Gateway usage plans', () => {
  it("creates an enabled API key with a secret value and attaches it to the tier's plan on this API's stage", async () => {
    const out = await plans().enrol('acme-mon', 'premium');
    const created = gw.commandCalls(CreateApiKeyCommand)[0]!.args[0].input;
    expect(created.enabled).toBe(true);
    expect(created.value).toBe(out.usageKey);
    expect(out.usageKey.length).toBeGreaterThanOrEqual(30);
    expect(out.usagePlanKeyId).toBe('key-1');
    expect(gw.commandCalls(CreateUsagePlanKeyCommand)[0]!.args[0].input).toEqual({
      usagePlanId: 'p-prem',
      keyId: 'key-1',
      keyType: 'API_KEY',
    });
  });

  it('deletes the new key again when it cannot be attached, so no key meters nothing', async () => {
    gw.on(CreateUsagePlanKeyCommand).rejects(new Error('TooManyRequests'));
    await expect(plans().enrol('acme-mon', 'standard')).rejects.toThrow('TooManyRequests');
    expect(gw.commandCalls(DeleteApiKeyCommand)[0]!.args[0].input).toEqual({ apiKey: 'key-1' });
  });

  it('refuses a tier with no plan on this stage, creating nothing', async () => {
    await expect(plans().enrol('acme-mon', 'trial')).rejects.toMatchObject({ code: 'unavailable' });
    expect(gw.commandCalls(CreateApiKeyCommand)).toHaveLength(0);
  });

  it('withdraws by deleting the key, and a key already gone is not an error', async () => {
    const notFound = Object.assign(new Error('gone'), { name: 'NotFoundException' });
    gw.on(DeleteApiKeyCommand).rejects(notFound);
    await expect(plans().withdraw('key-1')).resolves.toBeUndefined();
  });
});
