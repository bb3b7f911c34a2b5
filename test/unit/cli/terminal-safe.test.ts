import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, terminalSafe } from '../../../infra/cli/main.js';

// A title an attacker could store (a CMDB file, an OpenSLO displayName, an API client): ESC ] 0 ; … BEL sets the
// terminal's title, ESC [ 2 J clears the screen, and a C1 CSI (U+009B) does the same on 8-bit terminals.
const HOSTILE = 'Pay\u001b]0;pwned\u0007ments \u001b[2J\u009b31m';
let server: Server;
let endpoint = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url?.startsWith('/v1/agreements?')) {
      res.end(
        JSON.stringify({
          items: [
            { id: 'agr_1', kind: 'SLA', status: 'draft', version: 1, serviceId: 'svc_a', title: HOSTILE },
          ],
        }),
      );
      return;
    }
    res.statusCode = 400;
    res.end(
      JSON.stringify({
        error: {
          code: 'validation_failed',
          message: `bad ${HOSTILE}`,
          details: [{ path: 'x', problem: HOSTILE }],
        },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function accord(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    env: { ACCORD_ENDPOINT: endpoint, ACCORD_TOKEN: 't', ACCORD_CONFIG: '/nonexistent/accord.json' },
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

describe('the CLI never writes control characters it was sent to a terminal', () => {
  it('shows stored escape sequences in a table as visible \\u escapes', async () => {
    const r = await accord(['agreements', 'list']);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(CONTROL);
    expect(r.out).toContain('Pay\\u001b]0;pwned\\u0007ments \\u001b[2J\\u009b31m');
  });

  it("shows an error's message and problems from the server the same way", async () => {
    const r = await accord(['status', 'agr_1']);
    expect(r.code).toBe(5);
    expect(r.err).not.toMatch(CONTROL);
    expect(r.err).toContain('\\u001b[2J');
  });

  it('keeps --output json parseable, with the same text once parsed', async () => {
    const r = await accord(['-o', 'json', 'agreements', 'list']);
    expect(r.out).not.toMatch(CONTROL);
    expect(JSON.parse(r.out).items[0].title).toBe(HOSTILE);
  });

  it("leaves new lines, tabs and the progress bar's carriage return alone", () => {
    expect(terminalSafe('a\tb\nc\r[##] 50%')).toBe('a\tb\nc\r[##] 50%');
  });
});
