import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AgreementObjectivesSource } from '../adapters/agreement-objectives-source.js';
import type { DynamoAgreementStore } from '../adapters/dynamodb/agreements.js';
import {
  DynamoEvaluationStore,
  DynamoExceptionWindowStore,
  DynamoViolationStore,
} from '../adapters/dynamodb/objectives.js';
import type { DynamoServiceStore } from '../adapters/dynamodb/services.js';
import { UlidGenerator } from '../adapters/ids.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_RETENTION,
  DEFAULT_SEVERITY_RULES,
  DEFAULT_TIER_DEFAULTS,
} from '../policy/objectives.js';
import type { Clock } from '../ports/clock.js';
import type { RollupStore } from '../ports/rollups.js';
import { type ObjectiveDeps, ObjectiveUseCases } from '../usecases/objectives/index.js';

/** The objectives engine on DynamoDB, as infra/local/compose.ts wires it on SQLite. */
export function composeAwsObjectives(parts: {
  doc: DynamoDBDocumentClient;
  /** The data table (exceptions, violations, evaluations live beside agreements). */
  table: string;
  agreements: DynamoAgreementStore;
  services: DynamoServiceStore;
  rollups: RollupStore;
  clock: Clock;
  /** Told of the violations whose credit became final (the chain's pass-through). */
  onCreditsFinal?: ObjectiveDeps['onCreditsFinal'];
  /** Told of each violation an evaluation opens (its remediation workflow starts). */
  onViolationOpened?: ObjectiveDeps['onViolationOpened'];
  /** Told of each evaluation run's results (burn-rate pages, forecast-breach tasks). */
  onEvaluated?: ObjectiveDeps['onEvaluated'];
}): ObjectiveUseCases {
  const ids = new UlidGenerator(parts.clock);
  return new ObjectiveUseCases({
    source: new AgreementObjectivesSource(parts.agreements, parts.services),
    services: parts.services,
    rollups: parts.rollups,
    exceptions: new DynamoExceptionWindowStore(parts.doc, parts.table),
    violations: new DynamoViolationStore(parts.doc, parts.table),
    evaluations: new DynamoEvaluationStore(parts.doc, parts.table, DEFAULT_RETENTION.historyDays),
    clock: parts.clock,
    ids: { next: (prefix) => `${prefix}_${ids.next()}` },
    settings: { burnWindows: DEFAULT_BURN_WINDOWS, forecast: DEFAULT_FORECAST, tiers: DEFAULT_TIER_DEFAULTS },
    severityRules: DEFAULT_SEVERITY_RULES,
    onCreditsFinal: parts.onCreditsFinal,
    onViolationOpened: parts.onViolationOpened,
    onEvaluated: parts.onEvaluated,
  });
}
