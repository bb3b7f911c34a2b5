import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ArchiveAccess, ArchiveAccessLog } from '../../ports/archive.js';
import { isConditionalCheckFailed } from './errors.js';

const MONTH_MS = 31 * 86_400_000;

/**
 * The archive access log in the audit table (no stream; written by the archive routes): one partition per
 * calendar month (UTC), `archive-access#YYYY-MM`, sorted by `version` = epoch milliseconds × 1000 + a
 * tie-breaker, so a range is one query per month, newest first.
 */
export class DynamoArchiveAccessLog implements ArchiveAccessLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(a: ArchiveAccess): Promise<void> {
    const base = Date.parse(a.at) * 1000;
    for (let i = 0; i < 1000; i++) {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.table,
            Item: { pk: `archive-access#${a.at.slice(0, 7)}`, version: base + i, access: a },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
        return;
      } catch (e) {
        if (!isConditionalCheckFailed(e)) throw e;
      }
    }
    throw new Error(`more than 1000 archive retrievals logged in the same millisecond (${a.at})`);
  }

  async list(q: { from: string; to: string; limit: number }): Promise<ArchiveAccess[]> {
    const from = Date.parse(q.from);
    const to = Date.parse(q.to);
    const months: string[] = [];
    for (let t = Date.parse(`${q.to.slice(0, 7)}-01T00:00:00Z`); t >= from - MONTH_MS; ) {
      months.push(new Date(t).toISOString().slice(0, 7));
      const d = new Date(t);
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
      if (t < Date.parse(`${q.from.slice(0, 7)}-01T00:00:00Z`)) break;
    }
    const out: ArchiveAccess[] = [];
    for (const m of months) {
      let start: Record<string, unknown> | undefined;
      do {
        const r = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND version BETWEEN :lo AND :hi',
            ExpressionAttributeValues: {
              ':pk': `archive-access#${m}`,
              ':lo': from * 1000,
              ':hi': to * 1000 - 1,
            },
            ScanIndexForward: false,
            Limit: q.limit - out.length,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        out.push(...(r.Items ?? []).map((i) => i.access as ArchiveAccess));
        start = r.LastEvaluatedKey;
      } while (start && out.length < q.limit);
      if (out.length >= q.limit) break;
    }
    return out.slice(0, q.limit);
  }
}
