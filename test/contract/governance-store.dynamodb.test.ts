import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoGovernanceRequestStore } from '../../shared/adapters/dynamodb/workflows.js';
import type { ChangeRequestRecord } from '../../shared/ports/governance.js';
import { useDynamoLocal } from '../helpers/dynamodb-local.js';
import { governanceStoreContract } from './governance-store.contract.js';

const local = useDynamoLocal();

governanceStoreContract('DynamoDB (DynamoDB Local)', async () => {
  const { doc, createTables } = local();
  return new DynamoGovernanceRequestStore(doc, (await createTables(['Workflows'])).Workflows!);
});

describe('DynamoDB open counters written before person keys', () => {
  it('moves an open request to its person-key counters when it is next written, and frees the old counter when it closes', async () => {
    const { doc, createTables } = local();
    const table = (await createTables(['Workflows'])).Workflows!;
    const store = new DynamoGovernanceRequestStore(doc, table);
    const record: ChangeRequestRecord = {
      kind: 'change-request',
      id: 'chg_old',
      agreementId: 'agr_1',
      serviceId: 'svc_cards',
      businessUnit: 'payments',
      baseVersion: 1,
      requestedBy: 'vera',
      requestedAt: '2026-03-02T09:00:00.000Z',
      source: 'api',
      summary: 'old',
      why: 'old',
      proposed: { title: 'x' },
      classification: { administrative: ['title'], material: [] },
      status: 'assessing',
      requiredSignOffs: [],
      signOffs: [],
      history: [],
      revision: 1,
    };
    // As the adapter wrote them before: one counter per requester in lower case, `holds` its pk.
    const oldPk = 'REQ_OPEN#agr_1#vera';
    await doc.send(new PutCommand({ TableName: table, Item: { pk: oldPk, sk: 'REQ_OPEN', n: 1 } }));
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'REQ#chg_old',
          sk: 'REQ',
          subjPk: 'REQ_SUBJ#agr_1',
          subjSk: `${record.requestedAt}#chg_old`,
          revision: 1,
          holds: oldPk,
          record,
        },
      }),
    );
    const n = async (pk: string) =>
      (
        await doc.send(
          new GetCommand({ TableName: table, Key: { pk, sk: 'REQ_OPEN' }, ConsistentRead: true }),
        )
      ).Item?.n;
    const vera = { subject: 'vera', email: 'vera@example.com' };

    expect(await store.put({ ...record, status: 'signing' }, 1)).toBe(true);
    expect([
      await n(oldPk),
      await n('REQ_OPEN#agr_1#sub:vera'),
      await n('REQ_OPEN#agr_1#email:vera'),
    ]).toEqual([0, 1, 1]);
    expect((await store.recordIfUnder({ ...record, id: 'chg_new', revision: 0 }, 1, vera)).status).toBe(
      'over-limit',
    );
    expect(await store.put({ ...record, status: 'withdrawn' }, 2)).toBe(true);
    expect([
      await n(oldPk),
      await n('REQ_OPEN#agr_1#sub:vera'),
      await n('REQ_OPEN#agr_1#email:vera'),
    ]).toEqual([0, 0, 0]);
    expect((await store.recordIfUnder({ ...record, id: 'chg_new', revision: 0 }, 1, vera)).status).toBe(
      'recorded',
    );
  });

  it('frees the old counter of a request written before person keys that closes', async () => {
    const { doc, createTables } = local();
    const table = (await createTables(['Workflows'])).Workflows!;
    const store = new DynamoGovernanceRequestStore(doc, table);
    const oldPk = 'REQ_OPEN#agr_1#vera';
    await doc.send(new PutCommand({ TableName: table, Item: { pk: oldPk, sk: 'REQ_OPEN', n: 1 } }));
    const r = {
      kind: 'change-request',
      id: 'chg_old',
      agreementId: 'agr_1',
      requestedBy: 'vera',
      source: 'api',
    };
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'REQ#chg_old',
          sk: 'REQ',
          revision: 1,
          holds: oldPk,
          record: { ...r, status: 'assessing' },
        },
      }),
    );
    const closed = {
      ...r,
      requestedAt: '2026-03-02T09:00:00.000Z',
      status: 'withdrawn',
    } as ChangeRequestRecord;
    expect(await store.put(closed, 1)).toBe(true);
    const c = await doc.send(
      new GetCommand({ TableName: table, Key: { pk: oldPk, sk: 'REQ_OPEN' }, ConsistentRead: true }),
    );
    expect(c.Item?.n).toBe(0);
  });
});

describe('DynamoDB asked lists (the recent cap)', () => {
  it('keeps only the requests after the latest `since` on a list, so the item stays about the size of the limit', async () => {
    const { doc, createTables } = local();
    const table = (await createTables(['Workflows'])).Workflows!;
    const store = new DynamoGovernanceRequestStore(doc, table);
    const vera = { subject: 'vera', email: 'vera@example.com' };
    const at = (h: number) => `2026-03-02T${String(h).padStart(2, '0')}:00:00.000Z`;
    for (const h of [1, 2, 3, 4]) {
      const r: ChangeRequestRecord = {
        kind: 'change-request',
        id: `chg_${h}`,
        agreementId: 'agr_1',
        serviceId: 'svc_cards',
        businessUnit: 'payments',
        baseVersion: 1,
        requestedBy: 'vera',
        requestedAt: at(h),
        source: 'api',
        summary: 's',
        why: 'w',
        proposed: { title: 'x' },
        classification: { administrative: ['title'], material: [] },
        status: 'withdrawn',
        requiredSignOffs: [],
        signOffs: [],
        history: [],
        revision: 0,
      };
      // The window: the two hours before each request.
      expect(await store.recordIfUnder(r, 10, vera, { limit: 10, since: at(h - 2) })).toEqual({
        status: 'recorded',
      });
    }
    for (const key of ['sub:vera', 'email:vera']) {
      const item = (
        await doc.send(
          new GetCommand({
            TableName: table,
            Key: { pk: `REQ_ASKED#agr_1#${key}`, sk: 'REQ_ASKED' },
            ConsistentRead: true,
          }),
        )
      ).Item;
      expect(item).toMatchObject({
        v: 4,
        asked: [
          { id: 'chg_3', at: at(3) },
          { id: 'chg_4', at: at(4) },
        ],
      });
    }
  });
});
