import { randomBytes } from 'node:crypto';
import type { Clock } from '../ports/clock.js';
import type { IdGenerator } from '../ports/ids.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * ULID-style ids (48-bit millisecond time + 80 random bits, Crockford base 32). Within one millisecond the
 * random part is incremented, so ids from one process sort strictly in creation order.
 */
export class UlidGenerator implements IdGenerator {
  private lastMs = -1;
  private lastRand: number[] = [];
  constructor(private readonly clock: Clock) {}

  agreementId(): string {
    return `agr_${this.next()}`;
  }

  next(): string {
    let ms = this.clock.now().getTime();
    if (ms <= this.lastMs) {
      ms = this.lastMs;
      this.increment();
    } else {
      this.lastMs = ms;
      this.lastRand = [...randomBytes(16)].map((b) => b & 31);
    }
    let time = '';
    for (let i = 9, t = ms; i >= 0; i--) {
      time = ALPHABET[t % 32]! + time;
      t = Math.floor(t / 32);
    }
    return time + this.lastRand.map((d) => ALPHABET[d]).join('');
  }

  private increment(): void {
    for (let i = this.lastRand.length - 1; i >= 0; i--) {
      if (this.lastRand[i]! < 31) {
        this.lastRand[i]! += 1;
        return;
      }
      this.lastRand[i] = 0;
    }
  }
}
