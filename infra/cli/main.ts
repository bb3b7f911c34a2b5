/**
 * `accord`: the command-line client (commander). Human tables by default, `--output json` for scripts, exit codes
 * that mean something (EXIT in ./client.ts), `--help` on every command. docs/openslo.md, "The accord CLI".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { backfillFile } from './backfill.js';
import {
  type CliConfig,
  CliError,
  configPath,
  EXIT,
  getJson,
  isHttpUrl,
  readConfig,
  request,
  withQuery,
  writeConfig,
} from './client.js';
import { addCmdbCommands } from './commands/cmdb.js';
import { backupDatabase, restoreDatabase } from './sqlite-backup.js';

type Out = 'table' | 'json';

/** Columns padded to their widest cell. */
export function table(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cell = (v: unknown) =>
    v === undefined || v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((c) => c.toUpperCase())),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  env: NodeJS.ProcessEnv;
  /** Standard input, read whole (for `config set --token-stdin`). */
  stdin?: () => Promise<string>;
}

function print(io: Io, output: Out, json: unknown, human: () => string): void {
  io.out(output === 'json' ? JSON.stringify(json, null, 2) : human());
}

function writeOrPrint(io: Io, file: string | undefined, content: string | Buffer): void {
  if (file) writeFileSync(file, content);
  else io.out(typeof content === 'string' ? content.replace(/\n$/, '') : content.toString('utf8'));
}

/**
 * A commander argument parser for a whole number from `min` to `max`: anything else is a usage error (exit 2) that
 * commander reports naming the option (`option '--limit <n>' argument 'abc' is invalid`), never sent to Accord.
 * Answers the value as given, for the query string.
 */
export function wholeNumber(min: number, max: number): (value: string) => string {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max)
      throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
    return value;
  };
}

/** Builds the program; `run` parses argv and answers the exit code. */
export function program(io: Io): Command {
  const cfg = (): CliConfig => readConfig(io.env);
  const root = new Command('accord')
    .description(
      `Accord's command-line client: agreements, status, OpenSLO, Prometheus rules, reports, backups.
Configuration: ${configPath(io.env)} (accord config set), or ACCORD_ENDPOINT and ACCORD_TOKEN.
Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 not authenticated or not allowed, 4 not found,
5 refused (invalid, conflict), 6 Accord unreachable or failing, 7 backup from a newer schema.`,
    )
    .addOption(
      new Option('-o, --output <format>', 'table for people, json for scripts')
        .choices(['table', 'json'])
        .default('table'),
    )
    .showHelpAfterError()
    .exitOverride();
  const output = (): Out => root.opts<{ output: Out }>().output;
  const sub = (parent: Command, name: string, description: string) =>
    parent.command(name).description(description).exitOverride().showHelpAfterError();

  // ---- config
  const config = sub(root, 'config', 'where Accord is and the token to call it with');
  sub(config, 'set', 'save the endpoint and/or token (file mode 0600)')
    .option(
      '--endpoint <url>',
      "Accord's base URL, e.g. http://localhost:3000 or https://api.example.com/live",
    )
    .option(
      '--token <token>',
      'a Bearer token (a person or service account); visible to other users in the process list',
    )
    .option(
      '--token-stdin',
      'read the token from standard input instead (kept out of process lists and shell history)',
    )
    .action(async (opts: { endpoint?: string; token?: string; tokenStdin?: boolean }) => {
      const { tokenStdin, ...o } = opts;
      if (tokenStdin) {
        if (o.token) throw new CliError('give --token or --token-stdin, not both', EXIT.usage);
        o.token = (await (io.stdin ?? (async () => ''))()).trim();
        if (!o.token) throw new CliError('--token-stdin: standard input held no token', EXIT.usage);
      }
      if (!o.endpoint && !o.token) throw new CliError('give --endpoint, --token or both', EXIT.usage);
      if (o.endpoint && !isHttpUrl(o.endpoint))
        throw new CliError('--endpoint must be an http(s) URL', EXIT.usage);
      const current = readConfig({ ...io.env, ACCORD_ENDPOINT: '', ACCORD_TOKEN: '' });
      const path = writeConfig({ ...current, ...o }, io.env);
      print(io, output(), { path }, () => `saved ${path}`);
    });
  sub(config, 'show', 'the endpoint and whether a token is set (never the token)').action(() => {
    const c = cfg();
    const shown = {
      path: configPath(io.env),
      endpoint: c.endpoint ?? null,
      token: c.token ? 'set' : 'not set',
    };
    print(io, output(), shown, () => table([shown], ['path', 'endpoint', 'token']));
  });

  // ---- agreements and status
  const agreements = sub(root, 'agreements', 'list and show agreements');
  sub(agreements, 'list', 'agreements you may read, newest first')
    .option('--status <status>', 'draft, submitted, approved, active, expired, sunset, retired')
    .option('--service <serviceId>', 'only this service')
    .option('--kind <kind>', 'SLA, OLA or UC')
    .option('--limit <n>', 'at most this many (1-200)', wholeNumber(1, 200), '50')
    .action(async (o: { status?: string; service?: string; kind?: string; limit: string }) => {
      const page = await getJson<{ items: Record<string, unknown>[] }>(
        cfg(),
        withQuery('/v1/agreements', { status: o.status, serviceId: o.service, kind: o.kind, limit: o.limit }),
      );
      print(io, output(), page, () =>
        table(page.items, ['id', 'kind', 'status', 'version', 'serviceId', 'title']),
      );
    });
  sub(agreements, 'show', 'one agreement (current version) and its objectives')
    .argument('<agreementId>')
    .action(async (id: string) => {
      const a = await getJson<Record<string, unknown> & { objectives: Record<string, unknown>[] }>(
        cfg(),
        `/v1/agreements/${encodeURIComponent(id)}`,
      );
      print(io, output(), a, () => {
        const head = table([a], ['id', 'kind', 'status', 'version', 'serviceId', 'timeZone', 'title']);
        const objectives = a.objectives.map((o) => ({
          ...o,
          window:
            (o.window as { type: string; days?: number; unit?: string }).type === 'rolling'
              ? `rolling ${(o.window as { days: number }).days}d`
              : `calendar ${(o.window as { unit: string }).unit}`,
        }));
        return `${head}\n\n${table(objectives, ['id', 'name', 'target', 'window', 'budgetingMethod'])}`;
      });
    });
  sub(root, 'status', "an agreement's status: every objective's compliance, budget and status")
    .argument('<agreementId>')
    .action(async (id: string) => {
      const s = await getJson<{ status: string; objectives: Record<string, unknown>[] }>(
        cfg(),
        `/v1/agreements/${encodeURIComponent(id)}/status`,
      );
      print(io, output(), s, () => {
        const rows = s.objectives.map((o) => ({
          objective: o.objectiveId,
          status: o.status,
          compliance: o.compliance === null ? 'unknown' : `${o.compliance}%`,
          target: `${o.target}%`,
          budgetLeft:
            (o.budget as { remainingRatio?: number } | null)?.remainingRatio === undefined
              ? '-'
              : `${((o.budget as { remainingRatio: number }).remainingRatio * 100).toFixed(2)}%`,
        }));
        return `agreement ${id}: ${s.status}\n${table(rows, ['objective', 'status', 'compliance', 'target', 'budgetLeft'])}`;
      });
    });

  // ---- OpenSLO
  const openslo = sub(root, 'openslo', 'OpenSLO v1 YAML in and out of an agreement');
  sub(openslo, 'export', "write the agreement's objectives as OpenSLO v1 YAML")
    .argument('<agreementId>')
    .option('-f, --file <path>', 'write to this file instead of standard output')
    .action(async (id: string, o: { file?: string }) => {
      const r = await request(cfg(), 'GET', `/v1/agreements/${encodeURIComponent(id)}/openslo`);
      writeOrPrint(io, o.file, r.text);
      const not = r.headers.get('x-accord-not-expressed');
      if (o.file && not && not !== 'none') io.err(`not expressed in OpenSLO: ${not}`);
    });
  sub(openslo, 'import', 'import an OpenSLO v1 YAML file into a draft agreement')
    .argument('<agreementId>')
    .argument('<file>', 'the YAML stream')
    .option('--dry-run', 'validate and report only')
    .option('--reason <text>', 'why (the new version records it)', 'import from OpenSLO')
    .action(async (id: string, file: string, o: { dryRun?: boolean; reason: string }) => {
      const c = cfg();
      const current = await request(c, 'GET', `/v1/agreements/${encodeURIComponent(id)}`);
      const etag =
        current.headers.get('etag') ?? `"${(JSON.parse(current.text) as { version: number }).version}"`;
      let body: Buffer;
      try {
        body = readFileSync(file);
      } catch (e) {
        throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.usage);
      }
      const r = await request(
        c,
        'POST',
        withQuery(`/v1/agreements/${encodeURIComponent(id)}/openslo`, {
          reason: o.reason,
          dryRun: o.dryRun ? 'true' : undefined,
        }),
        { body, headers: { 'content-type': 'application/yaml', 'if-match': etag } },
      );
      const report = JSON.parse(r.text) as {
        dryRun: boolean;
        agreement: { version: number };
        added: string[];
        replaced: string[];
        kept: string[];
        notes: { path: string; problem: string }[];
        mappingRules: { vendor: string; rule: { selector?: string; measure: string } }[];
      };
      print(io, output(), report, () =>
        [
          `${report.dryRun ? 'dry run: nothing written' : `agreement ${id} is now version ${report.agreement.version}`}`,
          `added: ${report.added.join(', ') || '-'}; replaced: ${report.replaced.join(', ') || '-'}; kept: ${report.kept.join(', ') || '-'}`,
          ...(report.mappingRules.length
            ? [
                'proposed mapping rules:',
                table(
                  report.mappingRules.map((m) => ({
                    vendor: m.vendor,
                    measure: m.rule.measure,
                    selector: m.rule.selector,
                  })),
                  ['vendor', 'measure', 'selector'],
                ),
              ]
            : []),
          ...(report.notes.length
            ? ['not taken:', ...report.notes.map((n) => `  ${n.path}: ${n.problem}`)]
            : []),
        ].join('\n'),
      );
    });

  // ---- Prometheus rules
  sub(root, 'rules', 'Prometheus recording and alerting rules for the objectives that come from Prometheus')
    .argument('<agreementId>')
    .option('-f, --file <path>', 'write the rule file here instead of standard output')
    .action(async (id: string, o: { file?: string }) => {
      const r = await request(cfg(), 'GET', `/v1/agreements/${encodeURIComponent(id)}/prometheus-rules`);
      writeOrPrint(io, o.file, r.text);
      if (o.file)
        io.err(
          `${r.headers.get('x-accord-rule-groups')} rule groups; ${r.headers.get('x-accord-skipped')} objectives without rules (see the file's head)`,
        );
    });

  // ---- reports
  const reports = sub(root, 'reports', 'reports');
  sub(reports, 'download', 'download a report')
    .argument(
      '<type>',
      'monthly-compliance, credit-statement, violation-trends, ola-uc-performance, error-budget, sla-audit',
    )
    .addOption(
      new Option('--format <format>', 'file format').choices(['html', 'pdf', 'csv', 'json']).default('pdf'),
    )
    .option('--period <yyyy-mm>', 'the month')
    .option('--agreement <agreementId>')
    .option('--service <serviceId>')
    .option('--audience <audience>', 'internal, customer, vendor, auditor')
    .requiredOption('--out <path>', 'where to write it')
    .action(
      async (
        type: string,
        o: {
          format: string;
          period?: string;
          agreement?: string;
          service?: string;
          audience?: string;
          out: string;
        },
      ) => {
        const r = await request(
          cfg(),
          'GET',
          withQuery(`/v1/reports/${encodeURIComponent(type)}`, {
            format: o.format,
            period: o.period,
            agreementId: o.agreement,
            serviceId: o.service,
            audience: o.audience,
          }),
        );
        writeFileSync(o.out, r.bytes);
        print(
          io,
          output(),
          { file: resolve(o.out), bytes: r.bytes.length, contentType: r.headers.get('content-type') },
          () => `wrote ${o.out} (${r.bytes.length} bytes)`,
        );
      },
    );

  // ---- backfill from a file
  sub(
    root,
    'backfill',
    'import history older than the lateness limit from an OpenMetrics or CSV file (admin)',
  )
    .argument(
      '<file>',
      'an OpenMetrics text file (as promtool reads) or a CSV file (timestamp,metric,value,…)',
    )
    .requiredOption('--vendor <vendorId>', "whose mapping rules read the file's series")
    .addOption(
      new Option('--format <format>', 'default: by the file name (.csv) or openmetrics').choices([
        'openmetrics',
        'csv',
      ]),
    )
    .option('--reason <reason>', 'why (recorded in the audit trail)', 'backfill import')
    .option('--chunk <samples>', 'samples per request (at most 200000)', '100000')
    .action(async (file: string, o: { vendor: string; format?: string; reason: string; chunk: string }) => {
      const format = o.format ?? (file.toLowerCase().endsWith('.csv') ? 'csv' : 'openmetrics');
      const per = Number(o.chunk);
      if (!Number.isInteger(per) || per < 1 || per > 200_000)
        throw new CliError('--chunk must be a whole number from 1 to 200000', EXIT.usage);
      const job = await backfillFile(cfg(), file, {
        vendor: o.vendor,
        format: format as 'openmetrics' | 'csv',
        reason: o.reason,
        perChunk: per,
        progress: output() === 'table' ? (line) => io.err(line) : () => {},
      });
      print(
        io,
        output(),
        job,
        () =>
          table([{ ...job }], ['id', 'chunks', 'submitted', 'accepted', 'duplicates', 'rejected']) +
          (job.rejected
            ? `\n\nrejected by reason: ${JSON.stringify(job.rejectedByReason)}\nfirst rejections:\n${job.rejections
                .slice(0, 5)
                .map((x) => `  chunk ${x.chunk} ${x.path}: ${x.reason} (${x.message})`)
                .join('\n')}`
            : ''),
      );
      if (job.rejected > 0)
        throw new CliError(`${job.rejected} samples were rejected (job ${job.id})`, EXIT.refused);
    });

  // ---- backup and restore (the embedded default)
  sub(root, 'backup', "copy the embedded default's SQLite database while Accord runs (SQLite online backup)")
    .argument('<target>', 'the backup file to create (never overwritten)')
    .option('--db <path>', 'the database', '.accord/accord.db')
    .action(async (target: string, o: { db: string }) => {
      const r = await backupDatabase(o.db, target, (p) => {
        if (output() === 'table' && p.totalPages > 0)
          io.err(
            `\r${(((p.totalPages - p.remainingPages) / p.totalPages) * 100).toFixed(0)}% of ${p.totalPages} pages`,
          );
      });
      print(
        io,
        output(),
        { file: resolve(target), ...r },
        () => `backed up ${o.db} to ${target}: ${r.pages} pages, schema ${r.schemaVersion}`,
      );
    });
  sub(root, 'restore', 'restore a backup over the database (stop Accord first); refuses a newer schema')
    .argument('<backup>', 'a file made by accord backup')
    .option('--db <path>', 'the database', '.accord/accord.db')
    .action(async (backup: string, o: { db: string }) => {
      const r = await restoreDatabase(backup, o.db);
      print(
        io,
        output(),
        { db: resolve(o.db), ...r },
        () => `restored ${backup} to ${o.db} (schema ${r.schemaVersion})`,
      );
    });
  addCmdbCommands(root, {
    sub,
    cfg,
    print: (json, human) => print(io, output(), json, human),
    table,
    progress: (line) => {
      if (output() === 'table') io.err(line);
    },
  });
  return root;
}

/**
 * `s` with every control character but tab, new line and carriage return written as a visible `\u00XX` escape.
 * What the CLI prints comes partly from stored data anyone with write access chose (titles, names, CMDB rows,
 * error details): an ESC or C1 sequence in it would otherwise drive the reader's terminal (retitle it, clear it,
 * rewrite what was shown). Lossless inside JSON strings (`\u001b` is JSON's own escape), so `--output json` parses
 * to the same values; C0 characters never reach here in JSON, which escapes them itself.
 */
export function terminalSafe(s: string): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) {
      out += `${s.slice(from, i)}\\u${c.toString(16).padStart(4, '0')}`;
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** Runs the CLI; answers the exit code (never throws). Everything it prints goes through `terminalSafe`. */
export async function run(argv: readonly string[], rawIo: Io): Promise<number> {
  const io: Io = {
    out: (s) => rawIo.out(terminalSafe(s)),
    err: (s) => rawIo.err(terminalSafe(s)),
    env: rawIo.env,
    ...(rawIo.stdin ? { stdin: rawIo.stdin } : {}),
  };
  const p = program(io);
  p.configureOutput({
    writeOut: (s) => io.out(s.replace(/\n$/, '')),
    writeErr: (s) => io.err(s.replace(/\n$/, '')),
  });
  for (const c of allCommands(p))
    c.configureOutput({
      writeOut: (s) => io.out(s.replace(/\n$/, '')),
      writeErr: (s) => io.err(s.replace(/\n$/, '')),
    });
  try {
    await p.parseAsync(argv as string[], { from: 'user' });
    return EXIT.ok;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.exitCode === 0)
        return EXIT.ok;
      // Help shown because no command was given (`accord`, `accord agreements`) is a usage error (exit 1 in
      // commander's terms): a script calling `accord $EMPTY` must not pass.
      return EXIT.usage;
    }
    if (e instanceof CliError) {
      io.err(`accord: ${e.message}`);
      return e.exitCode;
    }
    io.err(`accord: ${(e as Error).stack ?? String(e)}`);
    return EXIT.error;
  }
}

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}
