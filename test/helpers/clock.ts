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
