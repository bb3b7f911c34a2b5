// `npm start`'s command line; main.ts loads it once the log level is settled.
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readConfig } from '../../shared/runtime/config.js';
import { startLocal } from './app.js';
import { DataDirInUseError } from './data-dir-lock.js';
import { loadDemo } from './demo.js';
import { loadDemoTelemetry, publishDemoReport } from './demo-telemetry.js';
import { LocalScheduler } from './scheduler.js';

const HELP = `Usage: npm start [-- options]

Accord on the embedded default: the API and the console at http://127.0.0.1:3000/, data in SQLite.

Options (after "--"):
  --demo                 load the demo portfolio and 30 days of telemetry into an empty data directory
  --data-dir <dir>       where the database, keys, credentials, archive and outbox live (default .accord)
  --port <n>             TCP port (default 3000; 0 picks a free one)
  --vendor-tiers <file>  new limits for the shipped usage-plan tiers the file names (shape of
                         shared/policy/vendor-tiers.json; a tier not shipped is refused)
  -h, --help             this text

Environment:
  PORT                   the port, when --port is not given
  HOST                   the interface to listen on (default 127.0.0.1; the console's development
                         sign-in answers loopback clients only)
  ACCORD_DATA_DIR        the data directory, when --data-dir is not given
  POWERTOOLS_LOG_LEVEL   request and job logs, JSON lines on stdout: WARN (default: failures only),
                         INFO (also one line per write and per refused request), DEBUG, ERROR, SILENT
  ACCORD_SMTP_URL        send e-mail over SMTP (smtp:// or smtps://) instead of writing .eml files
  ACCORD_RESIDENCY_REGION  hold only agreements whose data residency is this region
  ACCORD_INBOUND_WEBHOOK_TOOLS  the ticketing tools that may call POST /v1/webhooks/tasks, a JSON array:
                         [{"tool":"jira","secrets":["whsec_..."],"businessUnits":["payments"]}] (or "services")
  ACCORD_INBOUND_WEBHOOK_SECRETS  secrets of one tool, "webhook", that reaches every business unit
  ACCORD_PUBLIC_URL      the URL people reach Accord at (links in e-mail; default http://localhost:3000)
  ACCORD_DATA_SOURCES    Prometheus data sources to pull SLI history from, a JSON array
                         (docs/backfill.md); none when unset
  ACCORD_TELEMETRY_STORE  inline (default: the raw sample store on the main thread) or worker (in a
                         worker thread, on the second core); docs/telemetry.md

Development tokens for every role are written to <data-dir>/dev-credentials.json.`;

let values: { demo?: boolean; port?: string; 'data-dir'?: string; 'vendor-tiers'?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      demo: { type: 'boolean', default: false },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      // Usage-plan tiers from another file than shared/policy/vendor-tiers.json (the ingest bench lifts them).
      'vendor-tiers': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`${(error as Error).message}; see npm start -- --help`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const dataDir = resolve(values['data-dir'] ?? process.env.ACCORD_DATA_DIR ?? '.accord');
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${values.port ?? process.env.PORT}"`);
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });

const host = process.env.HOST ?? '127.0.0.1';
// A tiers file that cannot be read or is not JSON is one line naming it, as a bad option is (new user wave 39: a
// Node stack trace). What the file holds is checked by startLocal against the shipped tiers.
let vendorTiers: unknown;
if (values['vendor-tiers']) {
  try {
    vendorTiers = JSON.parse(readFileSync(values['vendor-tiers'], 'utf8'));
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOENT' ? 'no such file' : e.code ? e.code : `not JSON (${e.message.replace(/\s+/g, ' ')})`;
    console.error(`--vendor-tiers ${values['vendor-tiers']}: ${why}; see npm start -- --help`);
    process.exit(2);
  }
}
let app: Awaited<ReturnType<typeof startLocal>>;
try {
  app = await startLocal({
    dataDir,
    port,
    host,
    config: readConfig(),
    ...(vendorTiers === undefined ? {} : { vendorTiers }),
  });
} catch (error) {
  if (error instanceof DataDirInUseError) {
    console.error(error.message);
    process.exit(1);
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    console.error(
      `port ${port} on ${host} is already in use: stop what uses it, or choose another port with PORT=${port + 1} npm start (or npm start -- --port ${port + 1})`,
    );
    process.exit(1);
  }
  if (code === 'EACCES') {
    console.error(
      `port ${port} needs privileges this user lacks: choose a port above 1023 with PORT=3000 npm start`,
    );
    process.exit(1);
  }
  throw error;
}
if (values.demo) {
  const summary = await loadDemo(app.container, app.stream);
  if (summary.startsWith('already loaded')) {
    console.log(
      `demo not loaded: ${dataDir} already holds data, which was kept as it is. To start afresh, stop Accord and run npm start -- --demo --data-dir <an empty directory>, or remove ${dataDir} first.`,
    );
  } else {
    console.log(`demo portfolio: ${summary}`);
    console.log('demo telemetry: loading 30 days of history through the ingest path…');
    console.log(
      `demo telemetry: ${await loadDemoTelemetry(app.container, app.db, resolve(dataDir, 'accord.db'))}`,
    );
    console.log(`demo report: ${await publishDemoReport(app.container)}`);
  }
}
const scheduler = new LocalScheduler();
scheduler.start();
console.log(`Accord is running on the embedded default at ${app.url}`);
console.log(`  console:     ${app.url}/ (development sign-in: choose an identity)`);
console.log(`  data:        ${resolve(dataDir, 'accord.db')} (SQLite, WAL)`);
console.log(
  `  credentials: ${resolve(dataDir, 'dev-credentials.json')} (a token per role and a vendor API key)`,
);
console.log(`  API:         ${app.url}/openapi.json`);
console.log('  schedules:   shared/schedules.ts (objectives evaluated every 5 minutes)');

/** How long a stop waits for requests in flight before closing their connections. */
const SHUTDOWN_GRACE_MS = 10_000;
let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) {
    console.log(`${signal} again: exiting now`);
    process.exit(1);
  }
  stopping = true;
  console.log(
    `${signal}: no new connections; finishing requests in flight (up to ${SHUTDOWN_GRACE_MS / 1000} s)`,
  );
  scheduler.stop();
  await app.stop(SHUTDOWN_GRACE_MS);
  console.log('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
