/**
 * Reading and writing OpenSLO YAML streams with the `yaml` library: every document validated against its kind,
 * each problem named by its path in the stream (`documents[2].spec.timeWindow[0].duration`) and its line.
 */
import {
  Composer,
  CST,
  type Document,
  isMap,
  isScalar,
  isSeq,
  Lexer,
  LineCounter,
  Parser,
  stringify,
} from 'yaml';
import type { FieldProblem } from '../errors.js';
import { OS_KINDS, type OsDocument } from './model.js';

/** At most this many documents in one stream (1,000 SLOs with their SLIs and a few more). */
export const MAX_DOCUMENTS = 5000;

/**
 * At most this many documents are composed, empty ones (a lone `---`) included, which MAX_DOCUMENTS does not count.
 * Documents are composed one at a time and reading stops here: `parseAllDocuments` composed the whole stream first,
 * and 5 MB of `---` lines (1.3 million empty documents) held the server for 26 s (red team, wave 32).
 */
export const MAX_STREAM_DOCUMENTS = 2 * MAX_DOCUMENTS;

/**
 * At most this many levels of nesting (an OpenSLO document needs fewer than ten). `yaml` composes recursively: a
 * 2 MB `[[[[…` ran Node out of memory (a fatal crash, not an exception) and a 2 MB `- - - …` took 16 s of CPU.
 */
export const MAX_NESTING = 64;

/**
 * The deepest nesting of `text`, counted on `yaml`'s lexer (iterative, so any depth is safe to count): flow
 * collections (`[`, `{`) open and close; block sequence and explicit-key indicators (`- - x`) nest until the end of
 * their line. Stops counting once past `limit`. Indentation-only nesting is not counted: 5 MB of indentation holds
 * about 3,000 levels, which `yaml` refuses quickly as a stack overflow.
 * @returns the depth reached (at most `limit + 1`) and the line where it went past `limit`
 */
export function nestingDepth(text: string, limit: number): { depth: number; line: number } {
  let flow = 0;
  let block = 0;
  let depth = 0;
  let line = 1;
  for (const tok of new Lexer().lex(text)) {
    switch (CST.tokenType(tok)) {
      case 'flow-map-start':
      case 'flow-seq-start':
        flow++;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        flow = Math.max(0, flow - 1);
        break;
      case 'seq-item-ind':
      case 'explicit-key-ind':
        block++;
        break;
      case 'newline':
        block = 0;
        line++;
        continue;
      // Stryker disable next-line ConditionalExpression: without its continue, any other token falls out of the switch to a depth update that changes nothing (flow and block are as they were)
      default:
        continue;
    }
    depth = Math.max(depth, flow + block);
    if (depth > limit) return { depth, line };
  }
  return { depth, line };
}

/** At most this many alias expansions per document (`yaml`'s `maxAliasCount`, which also weighs nested aliases). */
export const MAX_ALIASES = 50;

export interface ParsedStream {
  docs: { index: number; doc: OsDocument }[];
  problems: FieldProblem[];
}

const pathText = (index: number, path: readonly PropertyKey[]): string =>
  `documents[${index}]${path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`;

/**
 * The path of the mapping key whose node starts at `offset` (a duplicated key, by the `yaml` error's position),
 * with that key last: `['spec', 'objectives', 0, 'target']`. Undefined when no key starts there.
 */
function keyPathAt(node: unknown, offset: number, path: PropertyKey[] = []): PropertyKey[] | undefined {
  if (isMap(node))
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const range = (pair.key as { range?: [number, number, number] } | null)?.range;
      if (range && range[0] === offset) return [...path, key];
      const inner = keyPathAt(pair.value, offset, [...path, key]);
      if (inner) return inner;
    }
  if (isSeq(node))
    for (const [i, item] of node.items.entries()) {
      const inner = keyPathAt(item, offset, [...path, i]);
      if (inner) return inner;
    }
  return undefined;
}

/**
 * Parses a YAML stream of OpenSLO v1 documents and validates each against its kind's schema.
 * @returns the valid documents with their index, and every problem (YAML syntax, unknown kind, schema) with its
 *   path and line; a stream with problems should be refused as a whole.
 */
export function parseOpenSlo(text: string): ParsedStream {
  const lines = new LineCounter();
  const problems: FieldProblem[] = [];
  const docs: ParsedStream['docs'] = [];
  const nested = nestingDepth(text, MAX_NESTING);
  if (nested.depth > MAX_NESTING)
    return {
      docs,
      problems: [
        {
          path: 'documents',
          problem: `YAML: nested more than ${MAX_NESTING} levels deep (line ${nested.line}); an OpenSLO document needs fewer than ten`,
        },
      ],
    };
  // Composed lazily (what parseAllDocuments does, one document at a time), so a stream over the limits is not read
  // to its end. A duplicate key is an error by the Document's default (`uniqueKeys: true`, which the duplicate-key
  // tests hold); `prettyErrors` is parseAllDocuments' option, not the Composer's: the errors keep their positions.
  const all = new Composer().compose(new Parser(lines.addNewLine).parse(text));
  const lineOf = (d: Document, path: readonly PropertyKey[]): string => {
    let node: unknown;
    // Stryker disable next-line ConditionalExpression: lineOf is asked only of a document with contents (empty ones are skipped), and `getIn([], true)` gives that contents node, so the walk always stops by k = 0
    for (let k = path.length; k >= 0 && !node; k--) node = d.getIn(path.slice(0, k) as unknown[], true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    // Stryker disable next-line StringLiteral: the walk up ends at the document's contents, a node yaml composed with its range, so the '' is never given
    return range ? ` (line ${lines.linePos(range[0]).line})` : '';
  };
  let index = 0;
  let composed = 0;
  for (const d of all) {
    if (++composed > MAX_STREAM_DOCUMENTS) {
      problems.push({
        path: 'documents',
        problem: `a stream may hold at most ${MAX_STREAM_DOCUMENTS} documents, empty ones (a lone ---) included`,
      });
      break;
    }
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
        // A duplicated key is named at its own path (documents[0].spec.budgetingMethod), like a schema problem.
        const keyPath = e.code === 'DUPLICATE_KEY' ? keyPathAt(d.contents, e.pos[0]) : undefined;
        problems.push({
          path: pathText(i, keyPath ?? []),
          problem: `YAML: ${e.message.split('\n')[0]} (line ${at.line})`,
        });
      }
      continue;
    }
    let value: unknown;
    try {
      value = d.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      // `yaml` throws a ReferenceError when expanding aliases would exceed the count (a "billion laughs" bomb), and
      // when an alias names no anchor set before it: the document is refused, the stream still read, rather than the
      // request failing as a server error. Only the first is said to be too many aliases.
      const message = (e as Error).message;
      const what = message.startsWith('Excessive alias count')
        ? `too many aliases (at most ${MAX_ALIASES} alias expansions per document): ${message}`
        : message;
      problems.push({
        path: pathText(i, []),
        problem: `YAML: ${what} (line ${lines.linePos(d.range[0]).line})`,
      });
      continue;
    }
    if (
      value === null ||
      // Stryker disable next-line ConditionalExpression: yaml's toJS gives null for an empty document (its contents are an empty scalar), never undefined; the test is for the type
      value === undefined
    ) {
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
