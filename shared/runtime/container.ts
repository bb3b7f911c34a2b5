import type { VendorKeyStore } from '../ports/vendors.js';
import type { AgreementUseCases } from '../usecases/agreements.js';
import type { AuditQueries, AuditRecorder } from '../usecases/audit.js';
import type { AgreementLifecycleJob } from '../usecases/lifecycle-job.js';
import type { ObjectiveUseCases } from '../usecases/objectives/index.js';
import type { ServiceUseCases } from '../usecases/services.js';
import type { TelemetryServices } from '../usecases/telemetry/index.js';
import type { WorkflowServices } from '../usecases/workflows/index.js';
import type { Config } from './config.js';

/**
 * What handlers get: the use cases, wired to one backend. Built once per process by a composition root:
 * infra/local/compose.ts for the embedded default, shared/runtime/aws.ts on Lambda.
 */
export interface Container {
  config: Config;
  agreements: AgreementUseCases;
  services: ServiceUseCases;
  auditRecorder: AuditRecorder;
  auditQueries: AuditQueries;
  vendorKeys: VendorKeyStore;
  /** The calendar side of the lifecycle (scheduled). */
  lifecycleJob: AgreementLifecycleJob;
  /** The objectives engine; absent where a composition root has not wired it (handlers then answer 503). */
  objectives?: ObjectiveUseCases;
  /** Telemetry ingestion and its read side; absent where a composition root has not wired it. */
  telemetry?: TelemetryServices;
  /** Workflows, people's tasks and notifications; absent where a composition root has not wired them. */
  workflows?: WorkflowServices;
}

let current: Promise<Container> | undefined;

/** The embedded default (and tests) install their container before any handler runs. */
export function setContainer(container: Container): void {
  current = Promise.resolve(container);
}

/** On Lambda nothing is installed: the AWS composition root is loaded on first use (cold start). */
export function getContainer(): Promise<Container> {
  if (!current) current = import('./aws.js').then((m) => m.createAwsContainer());
  return current;
}
