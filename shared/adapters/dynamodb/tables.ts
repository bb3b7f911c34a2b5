/**
 * The DynamoDB tables, as data: the one definition both the CDK stack (infra/aws) and the DynamoDB Local test
 * harness create tables from. Key attributes are strings unless named otherwise. Every index projects ALL:
 * list pages return whole records, and a KEYS_ONLY index would cost a second read per item.
 */

export type KeyType = 'S' | 'N';
export interface KeyDef {
  name: string;
  type: KeyType;
}
export interface IndexDef {
  indexName: string;
  partitionKey: KeyDef;
  sortKey: KeyDef;
}
export interface TableDef {
  /** The construct id in the CDK stack and the suffix of the physical name. */
  id: string;
  partitionKey: KeyDef;
  sortKey?: KeyDef;
  indexes: readonly IndexDef[];
  /** Stream view, when the table feeds a consumer. */
  stream?: 'NEW_AND_OLD_IMAGES';
  /** TTL attribute, when items expire. */
  ttl?: string;
}

const s = (name: string): KeyDef => ({ name, type: 'S' });
const gsi = (indexName: string, pk: string, sk: string): IndexDef => ({
  indexName,
  partitionKey: s(pk),
  sortKey: s(sk),
});

/** Index names of the data table, with the attributes that key them. */
export const DATA_INDEX = {
  byBusinessUnit: gsi('byBusinessUnit', 'buPk', 'buSk'),
  byService: gsi('byService', 'svcPk', 'svcSk'),
  byStatus: gsi('byStatus', 'statusPk', 'statusSk'),
  byRenewal: gsi('byRenewal', 'renewalPk', 'renewalSk'),
  byExpiry: gsi('byExpiry', 'expiryPk', 'expirySk'),
} as const;

/**
 * The data table: agreements (current item, immutable versions, dependency edges) and services (current
 * item), one table so that one stream carries every audited change in commit order per item.
 */
export const DATA_TABLE: TableDef = {
  id: 'Data',
  partitionKey: s('pk'),
  sortKey: s('sk'),
  indexes: Object.values(DATA_INDEX),
  stream: 'NEW_AND_OLD_IMAGES',
  /** Evaluation history points expire (the retention policy); agreements, services and violations never do. */
  ttl: 'expiresAt',
};

/** The audit trail: one item per entity version, written only by the stream consumer. */
export const AUDIT_TABLE: TableDef = {
  id: 'Audit',
  partitionKey: s('pk'),
  sortKey: { name: 'version', type: 'N' },
  indexes: [],
};

/**
 * The vendor key index by SHA-256 hash: the vendor authorizer's only table. Rows of keys that stop at a stated
 * time (a rotation's overlap) expire a day after it; vendor records live in the data table.
 */
export const VENDOR_KEYS_TABLE: TableDef = {
  id: 'VendorKeys',
  partitionKey: s('keyHash'),
  indexes: [],
  ttl: 'expiresAt',
};

/** Telemetry rollups (issue 5 owns the item layout): generic keys so the adapter can choose its own. */
export const ROLLUPS_TABLE: TableDef = {
  id: 'Rollups',
  partitionKey: s('pk'),
  sortKey: s('sk'),
  indexes: [],
  ttl: 'expiresAt',
};

/** Index names of the workflows table, with the attributes that key them. */
export const WORKFLOWS_INDEX = {
  byStatus: gsi('byStatus', 'statusPk', 'statusSk'),
  bySubject: gsi('bySubject', 'subjPk', 'subjSk'),
  byRef: gsi('byRef', 'refPk', 'refSk'),
} as const;

/**
 * Workflows (issue 11): people's tasks with the task token their callback waits on, the notification queue, and the
 * index of executions by subject (Step Functions itself holds the executions).
 */
export const WORKFLOWS_TABLE: TableDef = {
  id: 'Workflows',
  partitionKey: s('pk'),
  sortKey: s('sk'),
  indexes: Object.values(WORKFLOWS_INDEX),
  ttl: 'expiresAt',
};

export const TABLES = [DATA_TABLE, AUDIT_TABLE, VENDOR_KEYS_TABLE, ROLLUPS_TABLE, WORKFLOWS_TABLE] as const;

/** Physical table names of one deployment; the stack passes them to functions as environment variables. */
export interface TableNames {
  data: string;
  audit: string;
  vendorKeys: string;
}
