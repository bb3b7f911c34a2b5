import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fromRoot } from '../../shared/runtime/project-root.js';
import type { ConsoleAsset } from '../console/build.js';
import type { DevCredentials } from './credentials.js';

/** Paths of the embedded default's development sign-in (the stand-in for Cognito's hosted UI; not API routes). */
export const DEV_SIGNIN_PATH = '/console/dev-signin';

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/**
 * Host names a browser on this machine uses to reach the embedded default. A page of another site that re-points
 * its own name at 127.0.0.1 (DNS rebinding) is same-origin with its own name, so its requests still carry that name
 * in `Host`: the sign-in answers only requests that name a loopback host, or a page anywhere could take a token.
 */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** The host name of a `Host` header without its port, lower-cased (`[::1]` keeps its brackets). */
export function hostName(host: string | undefined): string {
  const h = (host ?? '').trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0]!;
}

/**
 * The console on the embedded default: the built page and assets at `/` and `/console/*`, and the development
 * sign-in. `GET /console/dev-signin` lists the development identities (name, e-mail, roles, scope: no tokens);
 * `POST /console/dev-signin` with `{"identity": "<name>"}` answers `{"token"}`, the identity's token from
 * `.accord/dev-credentials.json`. The sign-in answers only clients on the loopback interface whose `Host` names a
 * loopback host (the server binds 127.0.0.1 unless HOST says otherwise): a machine on the network, or a page of
 * another site rebound to 127.0.0.1, gets 404, as for any unknown path.
 * `serve` answers true when it handled the request; anything else falls through to the API (its 404).
 */
export class LocalConsole {
  private constructor(
    private readonly assets: Map<string, ConsoleAsset>,
    private readonly credentials: () => DevCredentials,
  ) {}

  static async create(credentials: () => DevCredentials): Promise<LocalConsole> {
    const assets = await consoleAssets();
    return new LocalConsole(new Map(assets.map((a) => [a.path, a])), credentials);
  }

  async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    const method = (req.method ?? 'GET').toUpperCase();
    if (path === DEV_SIGNIN_PATH) {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return false;
      if (!LOOPBACK_HOSTS.has(hostName(req.headers.host))) return false;
      if (method === 'GET') return this.json(res, 200, { identities: this.identities() });
      if (method === 'POST') return this.signIn(req, res);
      return false;
    }
    const asset = this.assets.get(path);
    if (!asset || (method !== 'GET' && method !== 'HEAD')) return false;
    res.writeHead(200, {
      'Content-Type': asset.contentType,
      'Content-Length': String(asset.body.length),
      'Cache-Control': 'no-cache',
      ...SECURITY_HEADERS,
    });
    res.end(method === 'HEAD' ? undefined : asset.body);
    req.resume();
    return true;
  }

  private identities() {
    return Object.entries(this.credentials().tokens).map(([name, t]) => ({
      name,
      email: t.email,
      groups: t.groups,
      businessUnits: t.businessUnits ?? [],
      services: t.services ?? [],
      signoff: t.signoff ?? [],
    }));
  }

  private async signIn(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 4096) return this.json(res, 413, problem('(body)', 'exceeds 4096 bytes'));
      chunks.push(c);
    }
    let name: unknown;
    try {
      name = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { identity?: unknown }).identity;
    } catch {
      return this.json(res, 400, problem('(body)', 'is not JSON'));
    }
    // The name is the client's: only the file's own identities, never what Object.prototype has (`constructor`).
    const tokens = this.credentials().tokens;
    const entry = typeof name === 'string' && Object.hasOwn(tokens, name) ? tokens[name] : undefined;
    if (!entry) return this.json(res, 400, problem('identity', 'names no development identity'));
    return this.json(res, 200, { token: entry.token });
  }

  private json(res: ServerResponse, status: number, body: unknown): true {
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      ...SECURITY_HEADERS,
    });
    res.end(JSON.stringify(body));
    return true;
  }
}

/**
 * Set by the local server's build (infra/local/build.ts, an esbuild `define`): the folder under the project root
 * holding the console it built beside the bundle. Undefined when running from the sources.
 */
declare const __ACCORD_PREBUILT_CONSOLE__: string | undefined;

/** One prebuilt asset as the build lists it in `assets.json`. */
export interface PrebuiltAsset {
  path: string;
  contentType: string;
  file: string;
}

/**
 * The console's files: read from what the build wrote (the built server never loads esbuild, about 10 MB of
 * resident memory), else built in memory from the sources (tests, tsx), so a change to the console shows at once.
 */
async function consoleAssets(): Promise<ConsoleAsset[]> {
  if (typeof __ACCORD_PREBUILT_CONSOLE__ === 'string') {
    const dir = fromRoot(__ACCORD_PREBUILT_CONSOLE__);
    const list = JSON.parse(readFileSync(join(dir, 'assets.json'), 'utf8')) as PrebuiltAsset[];
    return list.map((a) => ({
      path: a.path,
      contentType: a.contentType,
      body: readFileSync(join(dir, a.file)),
    }));
  }
  const { buildConsole } = await import('../console/build.js');
  return buildConsole();
}

/** The API's error shape, request id included, so a client reads the sign-in's refusals as it reads the API's. */
const problem = (path: string, what: string) => ({
  error: { code: 'validation_failed', message: `${path} ${what}`, details: [{ path, problem: what }] },
  requestId: randomUUID(),
});
