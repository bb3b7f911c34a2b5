import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalApp, startLocal } from '../../infra/local/app.js';
import { localDate } from '../../shared/domain/agreements/rules.js';
import type { Clock } from '../../shared/ports/clock.js';
import { readConfig } from '../../shared/runtime/config.js';
import type { CreateAgreementBody } from '../../shared/schemas/agreement.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

export interface TestApp extends LocalApp {
  dir: string;
  /** Sends a request as one of the development identities (by name) or anonymously. */
  call(
    method: string,
    path: string,
    options?: {
      as?: string;
      token?: string;
      body?: unknown;
      rawBody?: string | Buffer;
      headers?: Record<string, string>;
    },
  ): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Headers;
  /** Tests read response bodies freely. */
  body: any;
}

/** Starts the embedded default in this process on a free port with a fresh data directory. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: { clock?: Clock; dir?: string; maxSlisPerService?: number } = {},
): Promise<TestApp> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'accord-test-'));
  const app = await startLocal({
    dataDir: dir,
    port: 0,
    config: readConfig({ ...env }),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.maxSlisPerService === undefined ? {} : { maxSlisPerService: options.maxSlisPerService }),
  });
  const call: TestApp['call'] = async (method, path, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.as) {
      const t = app.credentials.tokens[options.as];
      if (!t) throw new Error(`no development identity ${options.as}`);
      headers.authorization = `Bearer ${t.token}`;
    }
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | Buffer | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined && method !== 'GET' && method !== 'HEAD') {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${app.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return {
    ...app,
    dir,
    call,
    async close() {
      await app.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Today in a time zone (YYYY-MM-DD), and a date n days from it. */
export function today(timeZone = 'Europe/London'): string {
  return localDate(new Date(), timeZone);
}

/** The date (YYYY-MM-DD) n days after `day` (YYYY-MM-DD; n may be negative), in calendar days whatever the DST. */
export function daysFrom(day: string, n: number): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function daysFromToday(n: number, timeZone = 'Europe/London'): string {
  return daysFrom(today(timeZone), n);
}

/**
 * An agreement's dates for a server on the real clock, spread into agreementBody(): effective from today for a year,
 * next review in 300 days. agreementBody()'s own dates are fixed for tests on a fixed clock; on the real clock each
 * passes into the past in turn, and the product rightly refuses a backdated start, end or review.
 */
export function datesFromToday(
  timeZone = 'Europe/London',
): Pick<CreateAgreementBody, 'effectiveFrom' | 'effectiveTo' | 'reviewCycle'> {
  // One reading of the clock: three reads across midnight would start one day and end a year from the next.
  return datesFrom(today(timeZone));
}

/** The same dates from a given day (YYYY-MM-DD), for a server on a fixed clock whose today that day is. */
export function datesFrom(
  day: string,
): Pick<CreateAgreementBody, 'effectiveFrom' | 'effectiveTo' | 'reviewCycle'> {
  return {
    effectiveFrom: day,
    effectiveTo: daysFrom(day, 365),
    reviewCycle: { everyMonths: 12, nextReviewDate: daysFrom(day, 300) },
  };
}
