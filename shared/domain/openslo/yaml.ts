/**
 * Reading and writing OpenSLO YAML streams with the `yaml` library: every document validated against its kind,
 * each problem named by its path in the stream (`documents[2].spec.timeWindow[0].duration`) and its line.
 */
import { type Document, LineCounter, parseAllDocuments, stringify } from 'yaml';
import type { FieldProblem } from '../errors.js';
import { OS_KINDS, type OsDocument } from './model.js';

/** At most this many documents in one stream (1,000 SLOs with their SLIs and a few more). */
export const MAX_DOCUMENTS = 5000;

export interface ParsedStream {
  docs: { index: number; doc: OsDocument }[];
  problems: FieldProblem[];
}

const pathText = (index: number, path: readonly PropertyKey[]): string =>
  `documents[${index}]${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;

/**
 * Parses a YAML stream of OpenSLO v1 documents and validates each against its kind's schema.
 * @returns the valid documents with their index, and every problem (YAML syntax, unknown kind, schema) with its
 *   path and line; a stream with problems should be refused as a whole.
 */
export function parseOpenSlo(text: string): ParsedStream {
  const lines = new LineCounter();
  const problems: FieldProblem[] = [];
  const docs: ParsedStream['docs'] = [];
  const stream = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const all = Array.isArray(stream) ? stream : [stream];
  const lineOf = (d: Document, path: readonly PropertyKey[]): string => {
    let node: unknown;
    for (let k = path.length; k >= 0 && !node; k--) node = d.getIn(path.slice(0, k) as unknown[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    return range ? ` (line ${lines.linePos(range[0]).line})` : '';
  };
  let index = 0;
  for (const d of all) {
    const i = index++;
    if (i >= MAX_DOCUMENTS) {
      problems.push({
        path: pathText(i, []),
        problem: `a stream may hold at most ${MAX_DOCUMENTS} documents`,
      });
      break;
    }
    if (d.errors.length) {
      for (const e of d.errors.slice(0, 5)) {
        const at = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        problems.push({
          path: pathText(i, []),
          problem: `YAML: ${e.message.split('\n')[0]} (line ${at.line})`,
        });
      }
      continue;
    }
    const value = d.toJS({ maxAliasCount: 50 }) as unknown;
    if (value === null || value === undefined) {
      index--; // an empty document (a trailing `---`) is not a document
      continue;
    }
    const kind = (value as { kind?: unknown }).kind;
    const schema =
      typeof kind === 'string' && Object.hasOwn(OS_KINDS, kind)
        ? OS_KINDS[kind as keyof typeof OS_KINDS]
        : null;
    if (!schema) {
      problems.push({
        path: pathText(i, ['kind']),
        problem: `${JSON.stringify(kind ?? null)} is not an OpenSLO v1 kind Accord reads (${Object.keys(OS_KINDS).join(', ')})${lineOf(d, ['kind'])}`,
      });
      continue;
    }
    const r = schema.safeParse(value);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
        for (const k of keys) {
          const path = k === undefined ? issue.path : [...issue.path, k];
          const problem = k === undefined ? issue.message : 'is not an OpenSLO v1 field of this kind';
          problems.push({ path: pathText(i, path), problem: `${problem}${lineOf(d, path)}` });
        }
      }
      continue;
    }
    docs.push({ index: i, doc: r.data as OsDocument });
  }
  return { docs, problems };
}

/** Writes documents as one YAML stream (`---` between documents), with a leading comment when given. */
export function writeOpenSlo(docs: readonly OsDocument[], comment?: string): string {
  const head = comment
    ? `${comment
        .split('\n')
        .map((l) => `# ${l}`.trimEnd())
        .join('\n')}\n`
    : '';
  return head + docs.map((d) => `---\n${stringify(d, { lineWidth: 0 })}`).join('');
}

export { pathText as documentPath };
