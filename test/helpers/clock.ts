import type { Clock } from '../../shared/ports/clock.js';

/** A clock tests move by hand. */
export class TestClock implements Clock {
  private ms: number;
  constructor(start: string | number = '2026-05-01T09:00:00.000Z') {
    this.ms = typeof start === 'number' ? start : Date.parse(start);
  }
  now(): Date {
    return new Date(this.ms);
  }
  set(at: string | number): void {
    this.ms = typeof at === 'number' ? at : Date.parse(at);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * The real clock, which a test can hold at one instant (epoch ms) for a step whose outcome depends on the server
 * reading the same "now" as the test, however long the request takes on a loaded machine; `release` lets it run again.
 */
export class HoldableClock implements Clock {
  private held: number | undefined;
  now(): Date {
    return new Date(this.held ?? Date.now());
  }
  hold(at: number): void {
    this.held = at;
  }
  release(): void {
    this.held = undefined;
  }
}
