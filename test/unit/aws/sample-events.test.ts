import type { APIGatewayAuthorizerResult, DynamoDBBatchResponse } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as auditConsumer } from '../../../functions/audit/consumer.js';
import { handler as vendorAuthorizer } from '../../../functions/authorizers/vendor.js';
import { lambdaContext } from '../../../infra/local/lambda-context.js';
import { MemoryAuditStore } from '../../../shared/adapters/memory/audit.js';
import { MemoryServiceStore } from '../../../shared/adapters/memory/services.js';
import { MemoryVendorStore, NoUsagePlans } from '../../../shared/adapters/memory/vendors.js';
import { systemClock } from '../../../shared/ports/clock.js';
import { type Container, setContainer } from '../../../shared/runtime/container.js';
import { AuditQueries, AuditRecorder } from '../../../shared/usecases/audit.js';
import { VendorUseCases } from '../../../shared/usecases/vendors.js';
import { sampleEvent } from '../../helpers/events.js';

function install() {
  const audit = new MemoryAuditStore();
  let n = 0;
  const vendors = new VendorUseCases({
    vendors: new MemoryVendorStore(),
    services: new MemoryServiceStore(),
    usagePlans: new NoUsagePlans(),
    clock: systemClock,
    ids: { next: () => `0000000000${String(++n).padStart(4, '0')}` },
  });
  setContainer({
    auditRecorder: new AuditRecorder(audit),
    auditQueries: new AuditQueries(audit, {
      agreement: async () => undefined,
      service: async () => undefined,
      vendor: async () => undefined,
    }),
    vendors,
  } as unknown as Container);
  return { audit, vendors };
}

describe('sample events', () => {
  it('the stream consumer audits the current-item changes of a real-shaped stream batch and skips version items', async () => {
    const { audit } = install();
    const event = sampleEvent('dynamodb-stream/agreement-changes');
    const res = (await auditConsumer(event, lambdaContext('audit'))) as DynamoDBBatchResponse;
    expect(res.batchItemFailures).toEqual([]);
    const entries = await audit.list('agreement', 'agr_01JDEMO0000000000001', { limit: 10 });
    expect(entries.map((e) => [e.version, e.change])).toEqual([
      [1, 'create'],
      [2, 'update'],
    ]);
    expect(entries[1]!.diff.map((d) => d.path)).toEqual(['title']);
  });

  it('the vendor authorizer maps the sample request key to its vendor and refuses an unknown key', async () => {
    const { vendors } = install();
    const event = sampleEvent('authorizer/vendor-request');
    const key = event.headers!['X-Api-Key']!;
    const made = await vendors.provision(
      { id: 'acme-monitoring', name: 'Acme', tier: 'standard', bindings: [], apiKey: key },
      'test',
    );
    const res = (await vendorAuthorizer(event)) as APIGatewayAuthorizerResult;
    expect(res.principalId).toBe('vendor:acme-monitoring');
    expect(res.context).toEqual({
      vendorId: 'acme-monitoring',
      tier: 'standard',
      keyId: made!.vendor.keys[0]!.keyId,
    });
    // Metered by the vendor's usage-plan key (here the embedded default's stand-in), not by the key it sent.
    expect(res.usageIdentifierKey).toBe('acme-monitoring');
    // The policy covers the stage, so the cached answer does not deny the vendor's other routes.
    expect(res.policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: 'arn:aws:execute-api:eu-west-1:111122223333:abcdef1234/live/*',
    });
    event.headers!['X-Api-Key'] = 'not-a-key';
    await expect(vendorAuthorizer(event)).rejects.toThrow('Unauthorized');
  });
});
