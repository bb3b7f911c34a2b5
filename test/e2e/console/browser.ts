import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import type { TestApp } from '../../helpers/local-app.js';

/** Debian's Chromium (test/setup/system-deps.sh installs it): the binary itself, not the shell launcher. */
export const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find((p) => existsSync(p));

/** Launches headless Chromium through playwright-core. */
export async function launch(): Promise<Browser> {
  if (!CHROMIUM)
    throw new Error('Chromium is missing: run bash test/setup/system-deps.sh (apt-get install chromium)');
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core (WCAG 2.x A and AA rules) on the page; answers the serious and critical violations. */
export async function seriousAxeViolations(
  page: Page,
): Promise<{ id: string; help: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol: the console's Content-Security-Policy (script-src 'self') rightly
  // refuses an injected <script>, and the test must not switch that policy off.
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  // Runs in the page (a string, so that the test's type-check needs no DOM library).
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }).then((r) => r.violations)`,
  )) as AxeViolation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Signs in on the console's development sign-in as the named identity and waits for the dashboard. */
export async function signIn(page: Page, baseUrl: string, identity: string): Promise<void> {
  await page.goto(`${baseUrl}/#/signin`);
  await page.locator(`button[data-identity="${identity}"]`).click();
  await page.waitForSelector('body[data-ready="dashboard"]');
}

/** Where the console's screenshots go (looked at by a person before a change to the console is called done). */
export function screenshotDir(): string {
  const dir = '.accord/console-screenshots';
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The development identity that signs off in each approver capacity (infra/local/credentials.ts). */
const APPROVER: Record<string, string> = {
  legal: 'approver-legal',
  procurement: 'approver-procurement',
  security: 'approver-security',
  finance: 'approver-finance',
  'governance-board': 'approver-board',
  'business-owner': 'approver-business',
};

/** A submitted agreement as GET /v1/agreements lists it, with the fields the sign-off tests read. */
export interface SubmittedAgreement {
  id: string;
  signOffs: { capacity: string }[];
  requiredSignOffs: { capacity: string }[];
}

/**
 * The first submitted agreement (of those `keep` accepts) still waiting for a sign-off in a capacity a development
 * approver holds: the agreement, that capacity and the identity to sign in as; undefined when there is none.
 */
export async function awaitingSignOff<T extends SubmittedAgreement>(
  app: TestApp,
  keep: (a: T) => boolean = () => true,
): Promise<{ a: T; cap: string; as: string } | undefined> {
  const submitted = (await app.call('GET', '/v1/agreements?status=submitted&limit=200', { as: 'admin' })).body
    .items as T[];
  for (const a of submitted.filter(keep)) {
    const cap = a.requiredSignOffs
      .map((r) => r.capacity)
      .find((c) => APPROVER[c] && !a.signOffs.some((s) => s.capacity === c));
    if (cap) return { a, cap, as: APPROVER[cap]! };
  }
  return undefined;
}
