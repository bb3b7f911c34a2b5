import { join } from 'node:path';
import { SqliteChangeFeed } from '../../shared/adapters/sqlite/changes.js';
import type { Db } from '../../shared/adapters/sqlite/db.js';
import { type Clock, systemClock } from '../../shared/ports/clock.js';
import type { Config } from '../../shared/runtime/config.js';
import { type Container, setContainer } from '../../shared/runtime/container.js';
import { logger } from '../../shared/runtime/powertools.js';
import { vendorsIn } from '../../shared/usecases/vendors.js';
import { composeLocal } from './compose.js';
import { LocalConsole } from './console.js';
import { type DevCredentials, ensureDevCredentials } from './credentials.js';
import { lockDataDir } from './data-dir-lock.js';
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
  /** Stops gracefully: requests in flight finish (up to graceMs), then the stream drains and the database closes. */
  stop(graceMs?: number): Promise<void>;
}

interface StartOptions {
  dataDir: string;
  port: number;
  host?: string;
  config: Config;
  clock?: Clock;
  /** Usage-plan tiers in the shape of shared/policy/vendor-tiers.json (validated), instead of that file. */
  vendorTiers?: unknown;
  /** Distinct SLIs with data per service, instead of the telemetry policy's `limits.maxSlisPerService` (tests). */
  maxSlisPerService?: number;
}

/**
 * Starts Accord on the embedded default in this process: SQLite under dataDir, the API on host:port. One server per
 * data directory (`lockDataDir`), held until stop() or the process ends.
 * @throws DataDirInUseError when another process holds the data directory
 */
export async function startLocal(options: StartOptions): Promise<LocalApp> {
  const lock = lockDataDir(options.dataDir);
  try {
    return await startLocked(options, lock.release);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startLocked(options: StartOptions, releaseLock: () => void): Promise<LocalApp> {
  const { db, container, workflows } = composeLocal(
    options.config,
    join(options.dataDir, 'accord.db'),
    options.clock ?? systemClock,
    options.maxSlisPerService === undefined ? {} : { maxSlisPerService: options.maxSlisPerService },
  );
  setContainer(container);
  const tokens = LocalTokenIssuer.loadOrCreate(join(options.dataDir, 'signing-key.pem'));
  let credentials = await ensureDevCredentials(
    join(options.dataDir, 'dev-credentials.json'),
    tokens,
    vendorsIn(container),
  );
  // Development tokens live at most a day (as Cognito's ID tokens): keep the file's tokens fresh.
  const reissue = setInterval(() => {
    ensureDevCredentials(join(options.dataDir, 'dev-credentials.json'), tokens, vendorsIn(container))
      .then((fresh) => {
        credentials = fresh;
      })
      .catch((error: unknown) =>
        logger.error('re-issuing development tokens failed', { error: error as Error }),
      );
  }, 3_600_000);
  reissue.unref();
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
  const limiter = new VendorRateLimiter(options.vendorTiers);
  // Writes that do not come through HTTP (scheduled jobs) reach the audit consumer within a second.
  const pump = setInterval(() => {
    // A failed pass (a busy database, a failing consumer) is retried on the next tick; it must not end the process.
    stream
      .drain()
      .catch((error: unknown) => logger.error('audit stream pass failed', { error: error as Error }));
  }, 1000);
  pump.unref();
  // The console at `/` beside the API, with the development sign-in (infra/console, docs/console.md).
  const site = await LocalConsole.create(() => credentials);
  const api = new LocalApi({ tokens, afterWrite: () => stream.drain(), vendorGate: limiter.gate, site });
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
    async stop(graceMs?: number) {
      clearInterval(replayTimer);
      clearInterval(reissue);
      clearInterval(pump);
      // Requests in flight finish first (they may start or signal workflows), then the engine settles.
      await api.close(graceMs);
      workflows.stop();
      await workflows.engine.idle();
      await stream.drain();
      db.close();
      releaseLock();
    },
  };
}
