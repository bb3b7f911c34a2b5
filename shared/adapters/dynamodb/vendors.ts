import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { VendorIdentity, VendorKeyStore } from '../../ports/vendors.js';

/** Vendor identities by the SHA-256 of their API key: the key itself is never stored. */
export class DynamoVendorKeyStore implements VendorKeyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async findByKeyHash(hash: string): Promise<VendorIdentity | undefined> {
    const r = await this.db.send(new GetCommand({ TableName: this.table, Key: { keyHash: hash } }));
    return r.Item ? { vendorId: String(r.Item.vendorId), tier: String(r.Item.tier) } : undefined;
  }

  async register(hash: string, vendor: VendorIdentity): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { keyHash: hash, vendorId: vendor.vendorId, tier: vendor.tier },
      }),
    );
  }
}
