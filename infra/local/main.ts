import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readConfig } from '../../shared/runtime/config.js';
import { startLocal } from './app.js';
import { loadDemo } from './demo.js';
import { LocalScheduler } from './scheduler.js';

const { values } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    // Usage-plan tiers from another file than shared/policy/vendor-tiers.json (the ingest bench lifts them).
    'vendor-tiers': { type: 'string' },
  },
});

const dataDir = resolve(values['data-dir'] ?? process.env.ACCORD_DATA_DIR ?? '.accord');
const port = Number(values.port ?? process.env.PORT ?? 3000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a TCP port number, got "${values.port ?? process.env.PORT}"`);
  process.exit(2);
}
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
mkdirSync(dataDir, { recursive: true });

const app = await startLocal({
  dataDir,
  port,
  host: process.env.HOST ?? '127.0.0.1',
  config: readConfig(),
  ...(values['vendor-tiers']
    ? { vendorTiers: JSON.parse(readFileSync(values['vendor-tiers'], 'utf8')) }
    : {}),
});
if (values.demo) {
  const summary = await loadDemo(app.container, app.stream);
  console.log(`demo portfolio: ${summary}`);
}
const scheduler = new LocalScheduler();
scheduler.start();
console.log(`Accord is running on the embedded default at ${app.url}`);
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
