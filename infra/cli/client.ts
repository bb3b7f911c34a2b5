/**
 * The CLI's side of the API: where Accord is and who is calling (a config file, overridden by the environment),
 * and requests that turn an HTTP answer into an exit code that means something.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Exit codes (documented in `accord --help` and docs/openslo.md). */
export const EXIT = {
  ok: 0,
  /** Anything unexpected. */
  error: 1,
  /** Bad command line (commander's own usage errors too). */
  usage: 2,
  /** 401 or 403: no token, a bad one, or a role that may not. */
  auth: 3,
  /** 404: no such thing (or not in your scope). */
  notFound: 4,
  /** 400, 409, 412, 413, 415, 422, 428: the request was refused as it stands. */
  refused: 5,
  /** No answer, or a 5xx: Accord is unreachable or failing. */
  unavailable: 6,
  /** restore: the backup comes from a newer schema than this Accord reads. */
  newerSchema: 7,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly details: unknown = undefined,
  ) {
    super(message);
  }
}

export interface CliConfig {
  endpoint?: string;
  token?: string;
}

/** The config file: `$ACCORD_CONFIG`, else `$XDG_CONFIG_HOME/accord/config.json`, else `~/.config/accord/config.json`. */
export function configPath(env = process.env): string {
  if (env.ACCORD_CONFIG) return env.ACCORD_CONFIG;
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'accord', 'config.json');
}

export function readConfig(env = process.env): CliConfig {
  let file: CliConfig = {};
  try {
    file = JSON.parse(readFileSync(configPath(env), 'utf8')) as CliConfig;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new CliError(`cannot read ${configPath(env)}: ${(e as Error).message}`, EXIT.error);
  }
  // A usage error naming where the endpoint came from, before anything is sent (an ftp:// or bare host name would
  // otherwise fail later as "unreachable", exit 6, pointing at the network instead of the setting).
  if (env.ACCORD_ENDPOINT && !isHttpUrl(env.ACCORD_ENDPOINT))
    throw new CliError(
      `ACCORD_ENDPOINT must be an http(s) URL such as http://localhost:3000, not "${env.ACCORD_ENDPOINT.slice(0, 200)}"`,
      EXIT.usage,
    );
  if (!env.ACCORD_ENDPOINT && file.endpoint !== undefined && !isHttpUrl(String(file.endpoint)))
    throw new CliError(
      `the endpoint in ${configPath(env)} must be an http(s) URL: run \`accord config set --endpoint <url>\``,
      EXIT.usage,
    );
  return {
    ...file,
    ...(env.ACCORD_ENDPOINT ? { endpoint: env.ACCORD_ENDPOINT } : {}),
    ...(env.ACCORD_TOKEN ? { token: env.ACCORD_TOKEN } : {}),
  };
}

/** Whether `s` is an absolute http: or https: URL (the only endpoints the CLI calls). */
export function isHttpUrl(s: string): boolean {
  if (!URL.canParse(s)) return false;
  const { protocol } = new URL(s);
  return protocol === 'http:' || protocol === 'https:';
}

/** Writes the config file (mode 0600: it holds a token). */
export function writeConfig(config: CliConfig, env = process.env): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true });
  // Written to a new file created 0600 (`wx`: never an existing one, whose old mode would hold the token for a
  // moment), then renamed over the config: readers see the old file or the new one, never a half-written or
  // world-readable token.
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
  return path;
}

function exitFor(status: number): number {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  if (status >= 500) return EXIT.unavailable;
  return EXIT.refused;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  bytes: Buffer;
}

/** One request to the configured endpoint; a non-2xx answer is a CliError carrying Accord's error body. */
export async function request(
  config: CliConfig,
  method: string,
  path: string,
  options: { body?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  if (!config.endpoint)
    throw new CliError(
      'no endpoint: run `accord config set --endpoint <url>` or set ACCORD_ENDPOINT',
      EXIT.usage,
    );
  const headers: Record<string, string> = { accept: '*/*', ...(options.headers ?? {}) };
  if (config.token) headers.authorization = `Bearer ${config.token}`;
  let res: Response;
  try {
    res = await fetch(
      new URL(path, config.endpoint.endsWith('/') ? config.endpoint : `${config.endpoint}/`),
      {
        method,
        headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
      },
    );
  } catch (e) {
    throw new CliError(
      `cannot reach ${config.endpoint}: ${(e as Error).cause ?? (e as Error).message}`,
      EXIT.unavailable,
    );
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString('utf8');
  if (res.status >= 200 && res.status < 300) return { status: res.status, headers: res.headers, text, bytes };
  throw answerError(res.status, text, res.statusText);
}

/** The CliError of a non-2xx answer: Accord's error body (message and each detail), the exit code of its status. */
function answerError(status: number, text: string, statusText: string): CliError {
  let error: { message?: string; details?: { path: string; problem: string }[] } | undefined;
  try {
    error = (JSON.parse(text) as { error?: typeof error }).error;
  } catch {
    // not Accord's JSON error shape
  }
  const lines = (error?.details ?? []).map((d) => `  ${d.path}: ${d.problem}`);
  return new CliError(
    `${status}: ${error?.message ?? (text.slice(0, 200) || statusText)}${lines.length ? `\n${lines.join('\n')}` : ''}`,
    exitFor(status),
    error ?? text,
  );
}

/**
 * A POST of a body given as byte ranges (written one after the other, never joined into one buffer), over node:http
 * or node:https: for large bodies such as backfill chunks (fetch copies a body before sending it). Answers the text of
 * a 2xx answer; otherwise the same CliError as `request`.
 */
export async function postParts(
  config: CliConfig,
  path: string,
  parts: readonly Buffer[],
  headers: Record<string, string>,
): Promise<string> {
  if (!config.endpoint)
    throw new CliError(
      'no endpoint: run `accord config set --endpoint <url>` or set ACCORD_ENDPOINT',
      EXIT.usage,
    );
  const url = new URL(path, config.endpoint.endsWith('/') ? config.endpoint : `${config.endpoint}/`);
  let length = 0;
  for (const p of parts) length += p.length;
  const h: Record<string, string> = { accept: '*/*', ...headers, 'content-length': String(length) };
  if (config.token) h.authorization = `Bearer ${config.token}`;
  const { request: send } =
    url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  const answer = await new Promise<{ status: number; statusText: string; text: string }>(
    (resolve, reject) => {
      const req = send(url, { method: 'POST', headers: h }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            statusText: res.statusMessage ?? '',
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      });
      req.on('error', (e) =>
        reject(new CliError(`cannot reach ${config.endpoint}: ${e.message}`, EXIT.unavailable)),
      );
      for (const p of parts) req.write(p);
      req.end();
    },
  );
  if (answer.status >= 200 && answer.status < 300) return answer.text;
  throw answerError(answer.status, answer.text, answer.statusText);
}

/** GET and parse JSON. */
export async function getJson<T>(config: CliConfig, path: string): Promise<T> {
  return JSON.parse((await request(config, 'GET', path)).text) as T;
}

/** A relative path with its query string (undefined values left out). */
export function withQuery(path: string, query: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, v);
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
