/**
 * The archive's tamper evidence: a hash chain of manifest entries (one chain per archive).
 *
 * Every archived object gets one manifest entry holding the object's SHA-256 and the hash of the entry before
 * it; an entry's own hash is the SHA-256 of its canonical JSON (every field but `hash`, keys sorted). Editing
 * an object changes its SHA-256; editing an entry changes its hash, so the next entry no longer chains to it;
 * deleting an entry leaves a gap in the sequence numbers and a `prevHash` that names an entry no longer there.
 * The idea is CloudTrail's digest chain (each digest signs the previous digest's signature); here it is
 * hash-only, the write-once store (S3 Object Lock COMPLIANCE, the embedded default's write-once folder) keeps
 * the entries themselves from being replaced.
 *
 * Pure: the SHA-256 function is passed in (node:crypto in the adapters and use cases), no clock is read.
 */

/** SHA-256 of a UTF-8 string or of bytes, as 64 lower-case hex digits. */
export type Sha256 = (data: string | Uint8Array) => string;

/** What is archived: published reports, credit statements, violation records with their evidence. */
export const ARCHIVE_TYPES = ['report', 'credit-statement', 'violation'] as const;
export type ArchiveType = (typeof ARCHIVE_TYPES)[number];

/** The hash the first entry chains to. */
export const GENESIS_HASH = '0'.repeat(64);

/** What the caller says about an object it archives. */
export interface ManifestEntryInput {
  /** The object's key in the archive (see keys.ts). */
  key: string;
  type: ArchiveType;
  /** SHA-256 of the object's bytes, hex. */
  sha256: string;
  size: number;
  contentType: string;
  /** The agreement the object is about, when it is about one. */
  agreementId?: string | undefined;
  /** The period it covers: `YYYY-MM` (a month) or `YYYY-MM-DD` (a day). */
  period?: string | undefined;
  /** A line for people: "Monthly SLA compliance, payments, 2026-04 (customer)". */
  title: string;
  archivedAt: string;
  archivedBy: string;
  /** Until when the store refuses to delete or overwrite it (ISO instant). */
  retainUntil: string;
}

/** One link of the chain, as stored (`manifest/<seq>.json`). */
export interface ManifestEntry extends ManifestEntryInput {
  /** 1, 2, 3… without gaps. */
  seq: number;
  /** The previous entry's hash; GENESIS_HASH for seq 1. */
  prevHash: string;
  /** SHA-256 of this entry's canonical JSON without `hash`. */
  hash: string;
}

/**
 * Canonical JSON: object keys sorted, no whitespace, undefined members dropped; the same value always gives
 * the same string (and so the same hash), whatever order its fields were written in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) =>
      // Stryker disable next-line EqualityOperator: an object's keys are distinct, so a < b and a <= b never differ
      a < b
        ? -1
        : // Stryker disable next-line EqualityOperator,ConditionalExpression: the keys are distinct and Array.prototype.sort only asks whether the comparator is below 0, so 1 and 0 here order alike
          a > b
          ? 1
          : 0,
    );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The hash an entry must carry: SHA-256 of its canonical JSON without the `hash` member. */
export function entryHash(entry: Omit<ManifestEntry, 'hash'> | ManifestEntry, sha256: Sha256): string {
  const { hash: _drop, ...rest } = entry as ManifestEntry;
  return sha256(canonicalJson(rest));
}

/** The entry that follows `prev` (or starts the chain) for a newly archived object. */
export function nextEntry(
  prev: ManifestEntry | undefined,
  input: ManifestEntryInput,
  sha256: Sha256,
): ManifestEntry {
  const body: Omit<ManifestEntry, 'hash'> = {
    ...stripUndefined(input),
    seq: prev ? prev.seq + 1 : 1,
    prevHash: prev ? prev.hash : GENESIS_HASH,
  };
  return { ...body, hash: entryHash(body, sha256) };
}

export type FindingKind = 'invalid' | 'missing' | 'gap' | 'unlisted' | 'truncated';

/** One thing verification found wrong, naming the key (and the entry) where it is. */
export interface Finding {
  kind: FindingKind;
  /** The archive key concerned: the object's, or the manifest entry's for a broken link. */
  key: string;
  /** The manifest entry concerned, when there is one. */
  seq?: number;
  problem: string;
}

/** A manifest entry as read back from its key: parsed, or unreadable (not JSON, not an entry). */
export type StoredEntry = { keySeq: number; entry: ManifestEntry } | { keySeq: number; unreadable: string };

/** What is known of an object when the chain is checked: the SHA-256 of its bytes as read now, or absent. */
export type ObjectState = { present: true; sha256: string } | { present: false };

export interface ChainReport {
  ok: boolean;
  /** Entries checked. */
  entries: number;
  /** Objects whose bytes were hashed and compared. */
  objects: number;
  findings: Finding[];
  /** The first break in chain order (the earliest entry found wrong), or null when all is well. */
  firstBreak: Finding | null;
  head: { seq: number; hash: string } | null;
}

/**
 * Verifies a chain: every entry's own hash, every link (`prevHash` = the previous entry's hash), the sequence
 * (a missing number is a gap: an entry was deleted), and every object against the SHA-256 its entry holds.
 * `entries` may come in any order and may hold entries whose stored key and content disagree (`keySeq`).
 * `objects` answers, for an entry's key, the object as read now. Archive objects no entry names are `unlisted`
 * (`unlistedKeys`). Findings are in chain order; `firstBreak` is the earliest.
 *
 * `recordedHead` is the head kept outside the archive (ArchiveHeadStore): when the chain found ends before it,
 * its newest entries were deleted (`truncated`: nothing else shows it, the chain that remains is whole); when
 * the entry at its number has another hash, the chain was replaced (`invalid`). A chain that runs past the
 * recorded head is not a fault: a writer stopped between storing an entry and recording it.
 */
export function verifyChain(
  entries: readonly StoredEntry[],
  objects: ReadonlyMap<string, ObjectState>,
  sha256: Sha256,
  unlistedKeys: readonly string[] = [],
  recordedHead?: { seq: number; hash: string } | undefined,
): ChainReport {
  const findings: Finding[] = [];
  const sorted = [...entries].sort((a, b) => a.keySeq - b.keySeq);
  let prev: ManifestEntry | undefined;
  let checkedObjects = 0;
  for (const stored of sorted) {
    const { keySeq } = stored;
    const where = manifestKey(keySeq);
    if (!('entry' in stored)) {
      findings.push({
        kind: 'invalid',
        key: where,
        seq: keySeq,
        problem: `manifest entry ${keySeq} is unreadable: ${stored.unreadable}`,
      });
      // Its hash is unknown: the next link cannot be checked against it, only the numbering can.
      prev = { seq: keySeq, hash: '(unreadable)' } as ManifestEntry;
      continue;
    }
    const { entry } = stored;
    if (entry.seq !== keySeq) {
      findings.push({
        kind: 'invalid',
        key: where,
        seq: keySeq,
        problem: `entry stored as ${where} says it is entry ${entry.seq}`,
      });
    }
    const expected = prev ? prev.seq + 1 : 1;
    const recomputed = entryHash(entry, sha256);
    if (recomputed !== entry.hash) {
      findings.push({
        kind: 'invalid',
        key: where,
        seq: keySeq,
        problem: `manifest entry ${keySeq} was altered: its content hashes to ${recomputed}, it records ${entry.hash}`,
      });
    }
    if (keySeq > expected) {
      findings.push({
        kind: 'gap',
        key: where,
        seq: keySeq,
        problem:
          keySeq - expected === 1
            ? `manifest entry ${expected} is missing: the chain jumps from ${expected - 1} to ${keySeq}`
            : `manifest entries ${expected} to ${keySeq - 1} are missing: the chain jumps from ${expected - 1} to ${keySeq}`,
      });
    } else {
      const wanted = prev ? prev.hash : GENESIS_HASH;
      if (entry.prevHash !== wanted && wanted !== '(unreadable)') {
        findings.push({
          kind: 'invalid',
          key: where,
          seq: keySeq,
          problem: prev
            ? `manifest entry ${keySeq} does not chain to entry ${prev.seq}: it names ${entry.prevHash}, entry ${prev.seq} hashes to ${wanted}`
            : `manifest entry ${keySeq} should start the chain (previous hash ${GENESIS_HASH}), it names ${entry.prevHash}`,
        });
      }
    }
    const obj = objects.get(entry.key);
    if (!obj?.present) {
      findings.push({
        kind: 'missing',
        key: entry.key,
        seq: keySeq,
        problem: `object ${entry.key} (manifest entry ${keySeq}) is not in the archive`,
      });
    } else {
      checkedObjects++;
      if (obj.sha256 !== entry.sha256) {
        findings.push({
          kind: 'invalid',
          key: entry.key,
          seq: keySeq,
          problem: `object ${entry.key} was altered: its bytes hash to ${obj.sha256}, manifest entry ${keySeq} records ${entry.sha256}`,
        });
      }
    }
    prev = entry;
  }
  if (recordedHead) findings.push(...headFindings(sorted, recordedHead));
  for (const key of [...unlistedKeys].sort()) {
    findings.push({
      kind: 'unlisted',
      key,
      problem: `object ${key} is in the archive but in no manifest entry`,
    });
  }
  const last = sorted.at(-1);
  return {
    ok: findings.length === 0,
    entries: sorted.length,
    objects: checkedObjects,
    findings,
    firstBreak: findings[0] ?? null,
    head: last && 'entry' in last ? { seq: last.keySeq, hash: last.entry.hash } : null,
  };
}

/** What the recorded head says of the chain found: entries missing after its end, or another entry in its place. */
function headFindings(sorted: readonly StoredEntry[], recorded: { seq: number; hash: string }): Finding[] {
  const lastSeq = sorted.at(-1)?.keySeq ?? 0;
  if (lastSeq < recorded.seq) {
    const from = lastSeq + 1;
    const which =
      from === recorded.seq ? `manifest entry ${from} is` : `manifest entries ${from} to ${recorded.seq} are`;
    return [
      {
        kind: 'truncated',
        key: manifestKey(from),
        seq: from,
        problem: `${which} missing from the head of the chain: the recorded head is entry ${recorded.seq} (hash ${recorded.hash}), the newest entry in the archive is ${lastSeq === 0 ? 'none' : `entry ${lastSeq}`}`,
      },
    ];
  }
  const at = sorted.find((e) => e.keySeq === recorded.seq);
  if (at && 'entry' in at && at.entry.hash !== recorded.hash)
    return [
      {
        kind: 'invalid',
        key: manifestKey(recorded.seq),
        seq: recorded.seq,
        problem: `manifest entry ${recorded.seq} is not the entry recorded as the head: it hashes to ${at.entry.hash}, the recorded head is ${recorded.hash}`,
      },
    ];
  return [];
}

/** Where entry `seq` is stored: `manifest/0000000042.json` (ten digits, so keys sort in chain order). */
export function manifestKey(seq: number): string {
  return `${MANIFEST_PREFIX}${String(seq).padStart(10, '0')}.json`;
}

export const MANIFEST_PREFIX = 'manifest/';

/** The sequence number in a manifest key, or undefined when the key is not one. */
export function manifestSeq(key: string): number | undefined {
  const m = /^manifest\/(\d{10})\.json$/.exec(key);
  return m ? Number(m[1]) : undefined;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
