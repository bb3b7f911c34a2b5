import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { RecordChange } from '../../usecases/audit.js';

/**
 * The stream contract between stores and the audit consumer. A store's "current" item of an audited record
 * carries `auditEntity` ('agreement' | 'service' | 'vendor') and `doc` (the record as a map); other items (immutable
 * version items, edges) carry no `auditEntity` and are ignored by the consumer.
 */
export const AUDIT_ENTITY_ATTR = 'auditEntity';
export const DOC_ATTR = 'doc';

type Image = Record<string, AttributeValue>;

function docOf(image: Image | undefined): Record<string, unknown> | undefined {
  if (!image?.[DOC_ATTR]) return undefined;
  return unmarshall(image as Parameters<typeof unmarshall>[0])[DOC_ATTR] as Record<string, unknown>;
}

const AUDITED = ['agreement', 'service', 'exception-window', 'vendor'] as const;
type Audited = (typeof AUDITED)[number];
const isAudited = (e: string | undefined): e is Audited =>
  (AUDITED as readonly (string | undefined)[]).includes(e);

/** The change a stream record carries, or undefined when the record is not an audited item's change. */
export function changeFromStreamRecord(record: DynamoDBRecord): RecordChange | undefined {
  const img = record.dynamodb?.NewImage as Image | undefined;
  const entity = img?.[AUDIT_ENTITY_ATTR]?.S;
  if (record.eventName === 'REMOVE' || !isAudited(entity)) return undefined;
  const after = docOf(img);
  if (!after) return undefined;
  const before = docOf(record.dynamodb?.OldImage as Image | undefined);
  return { entity, before, after };
}

/** A DynamoDB-stream-shaped record for a committed change: what the embedded default feeds the consumer. */
export function streamRecordFor(
  seq: number,
  entity: Audited,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown>,
): DynamoDBRecord {
  const image = (doc: Record<string, unknown>) =>
    marshall(
      { [AUDIT_ENTITY_ATTR]: entity, id: doc.id, [DOC_ATTR]: doc },
      { removeUndefinedValues: true, convertClassInstanceToMap: true },
    );
  return {
    eventID: String(seq),
    eventName: before ? 'MODIFY' : 'INSERT',
    eventSource: 'accord:local',
    awsRegion: 'local',
    dynamodb: {
      Keys: marshall({ id: after.id }) as never,
      NewImage: image(after) as never,
      ...(before ? { OldImage: image(before) as never } : {}),
      SequenceNumber: String(seq).padStart(21, '0'),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
