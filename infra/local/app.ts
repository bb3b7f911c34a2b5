import { join } from 'node:path';
import { SqliteChangeFeed } from '../../shared/adapters/sqlite/changes.js';
import type { Db } from '../../shared/adapters/sqlite/db.js';
import { type Clock, systemClock } from '../../shared/ports/clock.js';
import type { Config } from '../../shared/runtime/config.js';
import { type Container, setContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { composeLocal } from './compose.js';
import { type DevCredentials, ensureDevCredentials } from './credentials.js';
import { LocalTokenIssuer } from './jwt.js';
import { VendorRateLimiter } from './rate-limit.js';
import { LocalApi } from './server.js';
import { LocalStream } from './stream.js';
import type { LocalWorkflowParts } from './workflows.js';

export interface LocalApp {
  api: LocalApi;
  workflows: LocalWorkflowParts;
  db: Db;
  container: Container;
  credentials: DevCredentials;
  tokens: LocalTokenIssuer;
  stream: LocalStream;
  url: string;
  stop(): Promise<void>;
}

/** Starts Accord on the embedded default in this process: SQLite under dataDir, the API on host:port. */
export async function startLocal(options: {
  dataDir: string;
  port: number;
  host?: string;
  config: Config;
  clock?: Clock;
}): Promise<LocalApp> {
  const { db, container, workflows } = composeLocal(
    options.config,
    join(options.dataDir, 'accord.db'),
    options.clock ?? systemClock,
  );
  setContainer(container);
  const tokens = LocalTokenIssuer.loadOrCreate(join(options.dataDir, 'signing-key.pem'));
  const credentials = await ensureDevCredentials(
    join(options.dataDir, 'dev-credentials.json'),
    tokens,
    container.vendorKeys,
  );
  const stream = new LocalStream(new SqliteChangeFeed(db));
  await stream.drain();
  // Telemetry: replay what the spool holds from a previous run, then keep trying while it is not empty.
  const telemetry = container.telemetry;
  const replay = async () => {
    try {
      await telemetry?.ingest.replaySpool();
    } catch {
      // The raw store is still down: the spool keeps the batches for the next attempt.
    }
  };
  await replay();
  const replayTimer = setInterval(() => void replay(), 5_000);
  replayTimer.unref();
  // Workflows: resume what a previous process left waiting, then run timers and the notification pump.
  await workflows.start();
  const limiter = new VendorRateLimiter();
  // Writes that do not come through HTTP (scheduled jobs) reach the audit consumer within a second.
  const pump = setInterval(() => {
    // A failed pass (a busy database, a failing consumer) is retried on the next tick; it must not end the process.
    stream
      .drain()
      .catch((error: unknown) => logger.error('audit stream pass failed', { error: error as Error }));
  }, 1000);
  pump.unref();
  const api = new LocalApi({ tokens, afterWrite: () => stream.drain(), vendorGate: limiter.gate });
  const server = await api.listen(options.port, options.host ?? '127.0.0.1');
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : options.port;
  return {
    api,
    workflows,
    db,
    container,
    credentials,
    tokens,
    stream,
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    async stop() {
      workflows.stop();
      await workflows.engine.idle();
      clearInterval(replayTimer);
      clearInterval(pump);
      await api.close();
      await stream.drain();
      db.close();
    },
  };
}
