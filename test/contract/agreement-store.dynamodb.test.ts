import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoAgreementStore } from '../../shared/adapters/dynamodb/agreements.js';
import { DynamoAuditStore } from '../../shared/adapters/dynamodb/audit.js';
import { DynamoServiceStore } from '../../shared/adapters/dynamodb/services.js';
import type { ListScope } from '../../shared/domain/access/policy.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { agreementVersion, service } from '../helpers/fixtures.js';
import { agreementStoreContract } from './agreement-store.contract.js';

const local = useDynamoLocal();

agreementStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoAgreementStore(doc, (await createTables(['Data'])).Data!);
});

describe('DynamoDB data table design', () => {
  it('serves every list filter, scope, version, dependant and audit read without a Scan', async () => {
    const { doc, createTables, commands } = local();
    const t = await createTables();
    const agreements = new DynamoAgreementStore(doc, t.Data!);
    const services = new DynamoServiceStore(doc, t.Data!);
    const audit = new DynamoAuditStore(doc, t.Audit!);
    const ola = agreementVersion({ kind: 'OLA' });
    await agreements.create(ola);
    await agreements.create(
      agreementVersion({
        underpinnedBy: [ola.id],
        renewal: { renewalDate: '2027-03-01', noticeDays: 90, autoRenew: false },
        effectiveTo: '2027-12-31',
      }),
    );
    await services.create(service());
    commands.length = 0;
    const all = { all: true } as const;
    const mine: ListScope = { all: false, businessUnits: ['payments'], serviceIds: ['svc_payments-gateway'] };
    for (const q of [
      {},
      { serviceId: 'svc_payments-gateway' },
      { businessUnit: 'payments' },
      { status: 'retired' as const },
      { kind: 'SLA' as const },
      { renewalFrom: '2027-01-01', renewalTo: '2027-06-30' },
      { expiryFrom: '2027-01-01' },
    ]) {
      await agreements.list({ ...q, scope: all, limit: 10 });
      await agreements.list({ ...q, scope: mine, limit: 10, after: ola.id });
    }
    await agreements.dependants(ola.id);
    await agreements.listVersions(ola.id);
    await services.list({ scope: all, limit: 5 });
    await services.list({ scope: mine, limit: 5, tier: 1 });
    await audit.list('agreement', ola.id, { limit: 5 });
    expect(commands.length).toBeGreaterThan(20);
    expect(new Set(commands)).not.toContain('ScanCommand');
    // Reads are Queries on a key or an index, plus batched gets of current items by key.
    expect([...new Set(commands)].sort()).toEqual(['BatchGetItemCommand', 'QueryCommand']);
  });

  it('commits version, current item and dependency edges in one transaction, and streams only the current item', async () => {
    const { doc, createTables, commands } = local();
    const t = await createTables();
    const store = new DynamoAgreementStore(doc, t.Data!);
    const [uc1, uc2] = [agreementVersion({ kind: 'UC' }), agreementVersion({ kind: 'UC' })];
    await store.create(uc1!);
    await store.create(uc2!);
    const sla = agreementVersion({ underpinnedBy: [uc1!.id] });
    await store.create(sla);
    commands.length = 0;
    await store.append({
      ...sla,
      version: 2,
      underpinnedBy: [uc2!.id],
      change: 'update',
      reason: 'swap the UC',
    });
    expect(commands.filter((c) => c.startsWith('Transact'))).toEqual(['TransactWriteItemsCommand']);
    expect((await store.dependants(uc1!.id)).map((a) => a.id)).toEqual([]);
    expect((await store.dependants(uc2!.id)).map((a) => a.id)).toEqual([sla.id]);
    const items = await doc.send(
      new QueryCommand({
        TableName: t.Data!,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `AGR#${sla.id}` },
      }),
    );
    const audited = (items.Items ?? []).filter((i) => i.auditEntity !== undefined).map((i) => i.sk);
    expect(audited).toEqual(['CURRENT']);
    // CURRENT, the two versions, and the party marker that lists it for its customer unit.
    expect((items.Items ?? []).map((i) => i.sk).sort()).toEqual([
      'CURRENT',
      'PARTY',
      'V#000000001',
      'V#000000002',
    ]);
  });
});
