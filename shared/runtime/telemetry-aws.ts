import { SQSClient } from '@aws-sdk/client-sqs';
import { TimestreamWriteClient } from '@aws-sdk/client-timestream-write';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AgreementSliReaders } from '../adapters/agreement-sli-readers.js';
import { DynamoSeenSampleStore } from '../adapters/dynamodb/seen.js';
import { DynamoSeriesStateStore, DynamoSliActivityStore } from '../adapters/dynamodb/series-state.js';
import {
  DynamoDiscrepancyStore,
  DynamoIdempotencyStore,
  DynamoUnmappedSeriesStore,
} from '../adapters/dynamodb/telemetry.js';
import { SqsSampleSpool } from '../adapters/sqs/spool.js';
import { TimestreamSampleWriter } from '../adapters/timestream/samples.js';
import { AwsSampleStore } from '../adapters/timestream/store.js';
import { loadTelemetryPolicy } from '../policy/telemetry.js';
import type { AgreementStore } from '../ports/agreements.js';
import type { Clock } from '../ports/clock.js';
import type { RollupStore } from '../ports/rollups.js';
import type { ServiceStore } from '../ports/services.js';
import { TelemetryIngest, TelemetryQueries, type TelemetryServices } from '../usecases/telemetry/index.js';
import type { TelemetryDeps } from '../usecases/telemetry/ingest.js';
import { AWS_ENV, type Config } from './config.js';
import { logger } from './powertools.js';

export interface AwsTelemetryParts {
  config: Config;
  doc: DynamoDBDocumentClient;
  /** The rollup store the objectives engine reads (DynamoDB on AWS). */
  rollups: RollupStore;
  clock: Clock;
  /** SDK settings for the Timestream and SQS clients (an endpoint in tests). */
  clientConfig?: { region?: string; endpoint?: string };
  /** Services: samples for an unknown service are rejected; reads stay inside the caller's scope. */
  services: Pick<ServiceStore, 'get'>;
  /** Agreements: which objectives read a service's SLIs. */
  agreements: Pick<AgreementStore, 'list'>;
  /** The vendor's key re-check and scope (VendorUseCases.admit). */
  admit?: TelemetryDeps['admit'];
  /** The SLIs pull data sources feed (PullUseCases.pulledSlis): pushed samples for them do not roll up. */
  pulledSlis?: TelemetryDeps['pulledSlis'];
}

/**
 * Telemetry on AWS, for the AWS composition root (shared/runtime/aws.ts): raw samples to Timestream when the
 * stack deployed it (ACCORD_TIMESTREAM_DATABASE/TABLE set), rollups to the rollup store, the fallback to the
 * SQS queue, idempotency keys, unmapped series and discrepancies in the rollups table.
 */
export function composeAwsTelemetry(parts: AwsTelemetryParts): TelemetryServices {
  const { config, doc, clock } = parts;
  const table = config[AWS_ENV.rollupsTable];
  const queueUrl = config[AWS_ENV.rawFallbackQueueUrl];
  const refusedUrl = config[AWS_ENV.rawRefusedQueueUrl];
  const missing = [
    !table && AWS_ENV.rollupsTable,
    !queueUrl && AWS_ENV.rawFallbackQueueUrl,
    !refusedUrl && AWS_ENV.rawRefusedQueueUrl,
  ].filter(Boolean);
  if (missing.length)
    throw new Error(`bad configuration: ${missing.join(', ')} must be set for telemetry on AWS`);
  const database = config[AWS_ENV.timestreamDatabase];
  const tsTable = config[AWS_ENV.timestreamTable];
  const raw =
    database && tsTable
      ? new TimestreamSampleWriter(new TimestreamWriteClient(parts.clientConfig ?? {}), {
          database,
          table: tsTable,
        })
      : undefined;
  const sqs = new SQSClient(parts.clientConfig ?? {});
  const spool = new SqsSampleSpool(sqs, queueUrl!);
  const policy = loadTelemetryPolicy();
  // Seen-sample markers live as long as a sample may arrive late, plus a day of margin.
  const latenessMinutes = Math.max(
    policy.limits.acceptedLatenessMinutes,
    ...Object.values(policy.policy.vendors).map((v) => v.acceptedLatenessMinutes ?? 0),
  );
  const seen = new DynamoSeenSampleStore(doc, table!, latenessMinutes * 60 + 86_400);
  // Records the raw store refuses for good (not throttling) must not go back to the replayed queue, where they
  // would be refused again forever: they go to the fallback's dead-letter queue, kept there for inspection.
  const refused = new SqsSampleSpool(sqs, refusedUrl!);
  const unmapped = new DynamoUnmappedSeriesStore(doc, table!);
  const discrepancies = new DynamoDiscrepancyStore(doc, table!);
  const activity = new DynamoSliActivityStore(doc, table!);
  const readers = new AgreementSliReaders(parts.agreements);
  return {
    ingest: new TelemetryIngest({
      policy,
      samples: new AwsSampleStore(raw, parts.rollups, refused, new DynamoSeriesStateStore(doc, table!), seen),
      services: parts.services,
      activity,
      readers,
      idempotency: new DynamoIdempotencyStore(doc, table!),
      spool,
      unmapped,
      discrepancies,
      clock,
      onBackgroundError: (what, err) => logger.warn(`telemetry: ${what} failed`, { error: err as Error }),
      ...(parts.admit ? { admit: parts.admit } : {}),
      ...(parts.pulledSlis ? { pulledSlis: parts.pulledSlis } : {}),
    }),
    queries: new TelemetryQueries({
      unmapped,
      discrepancies,
      services: parts.services,
      activity,
      readers,
      rollups: parts.rollups,
    }),
  };
}
