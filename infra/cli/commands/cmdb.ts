/** `accord cmdb sync <file> [--apply]`: a ServiceNow cmdb_ci_service export against Accord (docs/cmdb.md). */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { type CliConfig, CliError, EXIT, request, withQuery } from '../client.js';

interface CmdbReport {
  dryRun: boolean;
  reason: string;
  create: { serviceId: string; path: string }[];
  update: { serviceId: string; path: string; changes: Record<string, string> }[];
  drift: { kind: string; serviceId: string; path?: string; cmdb?: unknown; accord?: unknown }[];
  problems: { path: string; problem: string }[];
  outOfScope: { serviceId: string; path: string; businessUnit: string }[];
  applied?: { created: string[]; updated: string[] };
  remaining?: number;
}

/** Writes per apply request: the server's cap (`CMDB_MAX_WRITES_PER_APPLY`, shared/usecases/cmdb.ts). */
export const CMDB_PAGE_WRITES = 500;

export interface CmdbCommandContext {
  sub: (parent: Command, name: string, description: string) => Command;
  cfg: () => CliConfig;
  print: (json: unknown, human: () => string) => void;
  table: (rows: readonly Record<string, unknown>[], columns: readonly string[]) => string;
  /** A progress line (`\r…`) for people; silent for `--output json`. */
  progress: (line: string) => void;
}

/** Adds `cmdb sync` to the program. The file's type is taken from its extension (.csv, else JSON). */
export function addCmdbCommands(root: Command, ctx: CmdbCommandContext): void {
  const cmdb = ctx.sub(root, 'cmdb', 'the service catalogue against a CMDB export');
  ctx
    .sub(cmdb, 'sync', 'compare a ServiceNow cmdb_ci_service export (Table API JSON or CSV) with Accord')
    .argument('<file>', 'the export (.json: {"result": [...]}; .csv: a header row of column names)')
    .option('--apply', 'create new services and write CMDB-owned fields (default: a dry run)')
    .action(async (file: string, o: { apply?: boolean }) => {
      let body: Buffer;
      try {
        body = readFileSync(file);
      } catch (e) {
        throw new CliError(`cannot read ${file}: ${(e as Error).message}`, EXIT.usage);
      }
      const type = /\.csv$/i.test(file) ? 'text/csv' : 'application/json';
      const name = basename(file)
        .replace(/[^A-Za-z0-9._ -]/g, '_')
        .slice(0, 200);
      const send = async (maxWrites?: number) =>
        JSON.parse(
          (
            await request(
              ctx.cfg(),
              'POST',
              withQuery('/v1/cmdb/sync', {
                apply: o.apply ? 'true' : undefined,
                maxWrites: maxWrites === undefined ? undefined : String(maxWrites),
                file: name,
              }),
              { body, headers: { 'content-type': type } },
            )
          ).text,
        ) as CmdbReport;
      let report: CmdbReport;
      if (!o.apply) report = await send();
      else {
        // A big file is applied in pages of at most CMDB_PAGE_WRITES writes, each within API Gateway's 29 s; each
        // page re-plans the file (what the last page wrote is now unchanged), so a page is the next rows to write.
        const applied = { created: [] as string[], updated: [] as string[] };
        let total: number | undefined;
        for (;;) {
          report = await send(CMDB_PAGE_WRITES);
          total ??= report.create.length + report.update.length;
          applied.created.push(...(report.applied?.created ?? []));
          applied.updated.push(...(report.applied?.updated ?? []));
          const done = applied.created.length + applied.updated.length;
          if (total > 0)
            ctx.progress(`\r${Math.floor((done / total) * 100)}% applied: ${done} of ${total} writes`);
          const wrote = (report.applied?.created.length ?? 0) + (report.applied?.updated.length ?? 0);
          // Stop when done, when a page's write was refused (a problem to show), or when a page wrote nothing.
          if (!report.remaining || report.problems.length > 0 || wrote === 0) break;
        }
        if (total > 0) ctx.progress('\n');
        report = { ...report, applied };
      }
      ctx.print(report, () =>
        [
          report.dryRun
            ? 'dry run: nothing written (--apply to write)'
            : `applied: created ${report.applied?.created.length ?? 0}, updated ${report.applied?.updated.length ?? 0} (${report.reason})`,
          `create: ${report.create.map((c) => c.serviceId).join(', ') || '-'}`,
          `update: ${report.update.map((u) => `${u.serviceId} (${Object.keys(u.changes).join(', ')})`).join(', ') || '-'}`,
          report.drift.length
            ? `drift (for a person to decide):\n${ctx.table(report.drift, ['kind', 'serviceId', 'path', 'cmdb', 'accord'])}`
            : 'drift: none',
          ...(report.outOfScope.length
            ? [`outside your units (not written): ${report.outOfScope.map((x) => x.serviceId).join(', ')}`]
            : []),
          ...(report.problems.length
            ? [`problems:\n${ctx.table(report.problems, ['path', 'problem'])}`]
            : []),
        ].join('\n'),
      );
    });
}
