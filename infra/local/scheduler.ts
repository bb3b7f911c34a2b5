import type { EventBridgeEvent } from 'aws-lambda';
import { type Clock, systemClock } from '../../shared/ports/clock.js';
import { logger } from '../../shared/runtime/powertools.js';
import { nextFireTime, SCHEDULES, type ScheduleSpec } from '../../shared/schedules.js';
import { importHandler } from './handlers.js';

/** The longest delay Node's setTimeout honours (2^31 - 1 ms); a longer one is cut to 1 ms with a TimeoutOverflowWarning. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type ScheduledHandler = (
  event: EventBridgeEvent<'Scheduled Event', Record<string, never>>,
) => Promise<unknown>;

/**
 * The embedded default's scheduler: the same table (shared/schedules.ts) EventBridge runs on AWS, the same
 * handler modules, an EventBridge-shaped event. A run still going when the next is due is skipped, as a
 * single-concurrency Lambda would throttle it.
 */
export class LocalScheduler {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<string>();
  private stopped = false;

  constructor(
    private readonly schedules: readonly ScheduleSpec[] = SCHEDULES,
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    this.stopped = false;
    for (const s of this.schedules) this.arm(s);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  /** Runs one schedule's handler now (also what a timer does when it fires). */
  async runNow(id: string, at: number = this.clock.now().getTime()): Promise<unknown> {
    const s = this.schedules.find((x) => x.id === id);
    if (!s) throw new Error(`no schedule ${id}`);
    if (this.running.has(id)) {
      logger.warn('schedule skipped: the previous run is still going', { schedule: id });
      return undefined;
    }
    this.running.add(id);
    try {
      const mod = await importHandler<ScheduledHandler>(s.handler);
      return await mod.handler({
        version: '0',
        id: `local-${id}-${at}`,
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        account: '000000000000',
        time: new Date(at).toISOString(),
        region: 'local',
        resources: [`arn:aws:events:local:000000000000:rule/${id}`],
        detail: {},
      });
    } finally {
      this.running.delete(id);
    }
  }

  private arm(s: ScheduleSpec): void {
    if (this.stopped) return;
    const next = nextFireTime(s.cron, this.clock.now().getTime());
    if (next === null) return;
    this.wait(s, next);
  }

  /**
   * Sets the timer for the run due at `next`. A wait longer than Node's timer limit (about 24.8 days: a monthly run
   * early in the month) would be cut to 1 ms by Node, running the job at once and again after each run, so it is
   * taken in steps of at most the limit.
   */
  private wait(s: ScheduleSpec, next: number): void {
    const delay = Math.max(0, next - this.clock.now().getTime());
    const step = Math.min(delay, MAX_TIMER_MS);
    const timer = setTimeout(() => {
      this.timers.delete(s.id);
      if (step < delay) {
        this.wait(s, next);
        return;
      }
      this.runNow(s.id, next)
        .catch((error: unknown) =>
          logger.error('scheduled run failed', { schedule: s.id, error: error as Error }),
        )
        .finally(() => this.arm(s));
    }, step);
    timer.unref();
    this.timers.set(s.id, timer);
  }
}
