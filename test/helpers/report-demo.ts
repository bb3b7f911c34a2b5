import { loadDemo } from '../../infra/local/demo.js';
import { AgreementObjectivesSource } from '../../shared/adapters/agreement-objectives-source.js';
import { SqliteAgreementStore } from '../../shared/adapters/sqlite/agreements.js';
import {
  SqliteEvaluationStore,
  SqliteExceptionWindowStore,
  SqliteViolationStore,
} from '../../shared/adapters/sqlite/objectives.js';
import { SqliteRollupStore } from '../../shared/adapters/sqlite/rollups.js';
import { SqliteServiceStore } from '../../shared/adapters/sqlite/services.js';
import {
  DEFAULT_BURN_WINDOWS,
  DEFAULT_FORECAST,
  DEFAULT_SEVERITY_RULES,
  DEFAULT_TIER_DEFAULTS,
} from '../../shared/policy/objectives.js';
import type { ViolationRecord } from '../../shared/ports/objectives.js';
import { BUCKET_MS, type RollupDelta } from '../../shared/ports/rollups.js';
import { ObjectiveUseCases } from '../../shared/usecases/objectives/index.js';
import { monthSpan } from '../../shared/usecases/reports/engine.js';
import { previousMonth } from '../../shared/usecases/reports/index.js';
import { TestClock } from './clock.js';
import type { TestApp } from './local-app.js';

export const GATEWAY = 'svc_payments-gateway';

/**
 * The demo portfolio with a month of telemetry: every active service's SLIs at 1,000 events per 5-minute
 * bucket, all good, except two hours on the 10th when the payments gateway failed half its requests. The engine
 * evaluates on the 20th (a violation with a provisional credit) and finalises the month's credit on the 1st.
 *
 * `now` is the app's "now" (the fixed clock it was started with): the demo's dates and the reported month (the one
 * before `now`'s, as the server works out "the previous month" from its own clock) come from that one reading, so the
 * test and the server cannot disagree about the month when a month ends during the run.
 */
export async function seedDemoMonth(
  app: TestApp,
  now: Date,
): Promise<{
  month: string;
  span: { start: number; end: number };
  gatewaySla: string;
  violation: ViolationRecord;
}> {
  const month = previousMonth(now.getTime());
  const span = monthSpan(month, 'Europe/London');
  await loadDemo(app.container, app.stream, now);
  const db = app.db;
  const rollups = new SqliteRollupStore(db);
  const services = (await app.call('GET', '/v1/services?limit=200', { as: 'admin' })).body.items as {
    id: string;
  }[];
  const incident = Date.parse(`${month}-10T10:00:00Z`);
  for (const s of services) {
    const deltas: RollupDelta[] = [];
    for (let t = span.start - 2 * 86_400_000; t < span.end + 86_400_000; t += BUCKET_MS) {
      const bad = s.id === GATEWAY && t >= incident && t < incident + 2 * 3_600_000 ? 500 : 0;
      for (const sli of ['availability', 'response-time'])
        deltas.push({
          sliKey: `${s.id}/${sli}`,
          bucketStart: t,
          good: 1000 - bad,
          total: 1000,
          count: 0,
          sum: 0,
          min: 0,
          max: 0,
        });
    }
    await rollups.add(deltas);
  }
  const clock = new TestClock(`${month}-20T12:00:00Z`);
  const engine = new ObjectiveUseCases({
    source: new AgreementObjectivesSource(new SqliteAgreementStore(db), new SqliteServiceStore(db)),
    rollups,
    exceptions: new SqliteExceptionWindowStore(db),
    violations: new SqliteViolationStore(db),
    evaluations: new SqliteEvaluationStore(db),
    clock,
    ids: { next: (p) => `${p}_${clock.now().getTime()}${Math.random().toString(36).slice(2, 8)}` },
    settings: { burnWindows: DEFAULT_BURN_WINDOWS, forecast: DEFAULT_FORECAST, tiers: DEFAULT_TIER_DEFAULTS },
    severityRules: DEFAULT_SEVERITY_RULES,
  });
  await engine.evaluateAll();
  clock.set(span.end + 6 * 3_600_000);
  await engine.finalizeCredits();
  const vs = (await app.call('GET', `/v1/violations?serviceId=${GATEWAY}`, { as: 'admin' })).body
    .items as ViolationRecord[];
  const violation = vs.find((v) => v.objectiveId === 'availability' && v.credit)!;
  return { month, span, gatewaySla: violation.agreementId, violation };
}
