/** One field-level change between two versions of a record. */
export interface FieldChange {
  path: string;
  op: 'added' | 'removed' | 'changed';
  before?: unknown;
  after?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const keyed = (arr: unknown[]): boolean =>
  arr.every((e) => isObject(e) && typeof e.id === 'string') &&
  new Set(arr.map((e) => (e as { id: string }).id)).size === arr.length;

/**
 * A field-level diff: paths like `objectives[id=availability].target` or `scope.inclusions[2]`.
 * Arrays of records with unique ids are matched by id, so reordering is not reported as a change of every element.
 */
export function diff(
  before: unknown,
  after: unknown,
  ignore: ReadonlySet<string> = new Set(),
  path = '',
): FieldChange[] {
  if (Object.is(before, after)) return [];
  if (before === undefined) return [{ path, op: 'added', after }];
  if (after === undefined) return [{ path, op: 'removed', before }];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys
      .filter((k) => !(path === '' && ignore.has(k)))
      .flatMap((k) => diff(before[k], after[k], ignore, path ? `${path}.${k}` : k));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    if (keyed(before) && keyed(after)) {
      const b = new Map(before.map((e) => [(e as { id: string }).id, e]));
      const a = new Map(after.map((e) => [(e as { id: string }).id, e]));
      const ids = [...new Set([...b.keys(), ...a.keys()])];
      return ids.flatMap((id) => diff(b.get(id), a.get(id), ignore, `${path}[id=${id}]`));
    }
    const n = Math.max(before.length, after.length);
    const out: FieldChange[] = [];
    // Stryker disable next-line EqualityOperator: at i = n both sides are undefined, which diff reports as no change
    for (let i = 0; i < n; i++) out.push(...diff(before[i], after[i], ignore, `${path}[${i}]`));
    return out;
  }
  return [{ path, op: 'changed', before, after }];
}
