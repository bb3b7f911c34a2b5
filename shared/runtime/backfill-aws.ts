import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { S3BackfillObjects } from '../adapters/s3/backfill-objects.js';
import { StepFunctionsBackfillRunner } from '../adapters/sfn/backfill-runner.js';
import type { AuditStore } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { VendorStore } from '../ports/vendors.js';
import { type BackfillIngest, BackfillUseCases } from '../usecases/backfill.js';
import { BackfillRunUseCases } from '../usecases/backfill-runs.js';
import { BACKFILL_WORKFLOW } from '../workflows.js';
import { AWS_ENV, type Config } from './config.js';

/**
 * Backfill on AWS (docs/backfill.md): chunk imports over HTTP, and runs over the backfill bucket's chunk objects (the
 * Distributed Map of infra/workflows/backfill.asl.json, started by name from the deployment's state machine prefix).
 * Loaded only by the ecosystem functions that compose telemetry (shared/runtime/aws.ts).
 */
export function composeAwsBackfill(parts: {
  config: Config;
  ingest: () => BackfillIngest;
  audit: AuditStore;
  clock: Clock;
  /** The vendor records (a backfill names its vendor; the vendor's bindings scope the file). */
  vendors: Pick<VendorStore, 'get'>;
  clientConfig?: { region?: string; endpoint?: string };
}): { backfill: BackfillUseCases; backfillRuns: BackfillRunUseCases } {
  const backfill = new BackfillUseCases({
    ingest: parts.ingest,
    audit: parts.audit,
    clock: parts.clock,
    vendors: parts.vendors,
  });
  const prefix = parts.config[AWS_ENV.stateMachineArnPrefix];
  const client = parts.clientConfig ?? {};
  const backfillRuns = new BackfillRunUseCases({
    backfill,
    audit: parts.audit,
    clock: parts.clock,
    objects: new S3BackfillObjects(new S3Client(client)),
    ...(prefix
      ? {
          starter: new StepFunctionsBackfillRunner(
            new SFNClient(client),
            `${prefix}${BACKFILL_WORKFLOW.name}`,
          ),
        }
      : {}),
  });
  return { backfill, backfillRuns };
}
