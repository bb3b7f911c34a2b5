import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../domain/errors.js';
import { actorKeys, type Person, personKeys } from '../../domain/people.js';
import {
  type AskedRequest,
  awaitsStart,
  type CappedRecordResult,
  type ChangeRequestRecord,
  countsTowardCap,
  type GovernanceRequest,
  type GovernanceRequestStore,
  type RecentCap,
  requestedAtOf,
  subjectOf,
} from '../../ports/governance.js';
import type { MigrationStep } from '../../ports/migrations.js';
import type { NotificationRecord, NotificationStatus, NotificationStore } from '../../ports/notifier.js';
import type { RemediationRecord, RemediationStore } from '../../ports/remediation.js';
import {
  type AssigneeQuery,
  assigneeKeys,
  isAfter,
  TASK_STATUSES,
  type TaskPosition,
  type TaskQuery,
  type WorkTask,
  type WorkTaskStore,
} from '../../ports/tasks.js';
import type { WorkflowSubject } from '../../ports/workflows.js';
import { cancellationReasons, isConditionalCheckFailed } from './errors.js';
import { WORKFLOWS_INDEX } from './tables.js';

/*
 * The workflows table (shared/adapters/dynamodb/tables.ts), one item per record:
 *   task          pk TASK#<id>           sk TASK   statusPk TASKS#<status>   statusSk <createdAt>#<id>
 *                                                  subjPk TASK_SUBJ#<subject id>   subjSk <createdAt>#<id>
 *                                                  refPk TASK_REF#<external ref>   refSk TASK
 *                                                  akeys [<its assignee keys, as written>] (absent: from before them)
 *   task key      pk TASK#<id>           sk KEY#<assignee key>   statusPk TASK_KEY#<status>#<key>   statusSk <createdAt>#<id>
 *                 (one per key of `assigneeKeys`, with a copy of the task: the index of tasks by assignee)
 *   notification  pk NOTE#<id>           sk NOTE   statusPk NOTES_DUE (while pending/sending)   statusSk <due ms, 15 digits>#<id>
 *                                                  subjPk NOTE_TOPIC#<topic>   subjSk <createdAt>#<id>
 *   request       pk REQ#<id>            sk REQ    subjPk REQ_SUBJ#<agreement or service id>   subjSk <requestedAt>#<id>
 *                                                  statusPk REQ_UNSTARTED (while its workflow has not started)   statusSk <requestedAt>#<id>
 *                                                  holds [<the open counters' pks>] (while it counts toward the cap)
 *   open counter  pk REQ_OPEN#<agreement id>#<person key>   sk REQ_OPEN   n <open api requests filed under the key>
 *                 (person keys: shared/domain/people.ts, `sub:<requester exactly>` and `email:<requester, lower case>`)
 *   asked list    pk REQ_ASKED#<agreement id>#<person key>   sk REQ_ASKED   v <writes>
 *                 asked [{id, at}: the api change requests filed under the key, asked after the last write's `since`]
 *   execution     pk EXEC#<type>#<id>    sk <startedAt>#<name>   (the index of Step Functions executions by subject)
 *   migration     pk MIGRATION#<id>      sk MIGRATION   record <its checkpoint>   (shared/adapters/dynamodb/migrations.ts)
 */

const pad = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(15, '0');

interface PutCondition {
  ConditionExpression: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** The condition that the stored item is at revision `n`. */
const revisionIs = (n: number): PutCondition => ({
  ConditionExpression: 'revision = :r',
  ExpressionAttributeValues: { ':r': n },
});
/** The condition that no item is stored under the key yet. */
const absent: PutCondition = { ConditionExpression: 'attribute_not_exists(pk)' };
/** The condition that the stored item is still at revision `expected`, or, for 0, that there is none yet. */
const atRevision = (expected: number): PutCondition => (expected === 0 ? absent : revisionIs(expected));

/**
 * Puts `item` when `condition` holds. Returns true when it was written, false when the condition failed (another
 * writer got there first, or the item already exists); any other failure is thrown.
 */
async function putWhen(
  db: DynamoDBDocumentClient,
  table: string,
  item: Record<string, unknown>,
  condition: PutCondition,
): Promise<boolean> {
  try {
    await db.send(new PutCommand({ TableName: table, Item: item, ...condition }));
    return true;
  } catch (e) {
    if (isConditionalCheckFailed(e)) return false;
    throw e;
  }
}

/**
 * The item of task `t` (the table layout above); `akeys` only when `keys` are given. Without them it is a task as
 * the store wrote it before the index by assignee (what the `tasks-by-assignee` migration looks for).
 */
export function taskItem(t: WorkTask, keys?: string[]) {
  return {
    ...(keys ? { akeys: keys } : {}),
    pk: `TASK#${t.id}`,
    sk: 'TASK',
    statusPk: `TASKS#${t.status}`,
    statusSk: `${t.createdAt}#${t.id}`,
    subjPk: `TASK_SUBJ#${t.subject.id}`,
    subjSk: `${t.createdAt}#${t.id}`,
    refPk: `TASK_REF#${t.externalRef}`,
    refSk: 'TASK',
    revision: t.revision,
    record: t,
  };
}

/** The item of task `t` under assignee key `key`: a copy of the task in the partition of its status and key. */
function taskKeyItem(t: WorkTask, key: string) {
  return {
    pk: `TASK#${t.id}`,
    sk: `KEY#${key}`,
    statusPk: `TASK_KEY#${t.status}#${key}`,
    statusSk: `${t.createdAt}#${t.id}`,
    revision: t.revision,
    record: t,
  };
}

/**
 * People's tasks on AWS, with the task token their callback waits on. Lists read an index, never a scan.
 *
 * The index by assignee is fan-out items (one per key, pk `TASK#<id>`, sk `KEY#<key>`) in the status index under
 * `TASK_KEY#<status>#<key>`, rather than a GSI of its own: a GSI keys an item once, and a task has several keys; the
 * status index already orders by `<createdAt>#<id>`, so no table change is needed. Each item copies the task, so a
 * page is one Query. A write puts the task (under its revision condition), every key item and the deletion of the
 * keys it lost in one TransactWriteItems (at most 1 + 45 + 45 actions: MAX_ASSIGNEE_KEYS), so a key never lists a
 * task in a status or with assignees it no longer has.
 */
export class DynamoWorkTaskStore implements WorkTaskStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async upsert(task: Omit<WorkTask, 'revision'>): Promise<WorkTask> {
    for (;;) {
      const current = await this.item(task.id);
      const next: WorkTask = current
        ? {
            ...current.record,
            token: task.token,
            dueAt: task.dueAt,
            assignees: task.assignees,
            data: { ...current.record.data, ...task.data },
            updatedAt: task.updatedAt,
            revision: current.record.revision + 1,
          }
        : { ...task, revision: 1 };
      if (await this.write(next, current?.keys ?? [], current ? revisionIs(current.record.revision) : absent))
        return next;
    }
  }

  async get(id: string): Promise<WorkTask | undefined> {
    return (await this.item(id))?.record;
  }

  /** The stored task with the assignee keys its item says were written (none for a task from before them). */
  private async item(id: string): Promise<{ record: WorkTask; keys: string[] } | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `TASK#${id}`, sk: 'TASK' }, ConsistentRead: true }),
    );
    if (!r.Item) return undefined;
    return { record: r.Item.record as WorkTask, keys: (r.Item.akeys as string[] | undefined) ?? [] };
  }

  /**
   * Writes task `t` when `condition` holds, with its key items, deleting those of `previous` keys it no longer has:
   * one Put when it has and had no keys, else one transaction. False when the condition failed.
   */
  private async write(t: WorkTask, previous: string[], condition: PutCondition): Promise<boolean> {
    const keys = assigneeKeys(t);
    if (keys.length === 0 && previous.length === 0)
      return putWhen(this.db, this.table, taskItem(t, keys), condition);
    const gone = previous.filter((k) => !keys.includes(k));
    const ops: TransactItem[] = [
      { Put: { TableName: this.table, Item: taskItem(t, keys), ...condition } },
      ...keys.map((k) => ({ Put: { TableName: this.table, Item: taskKeyItem(t, k) } })),
      ...gone.map((k) => ({
        Delete: { TableName: this.table, Key: { pk: `TASK#${t.id}`, sk: `KEY#${k}` } },
      })),
    ];
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: ops }));
      return true;
    } catch (e) {
      const reasons = cancellationReasons(e);
      // The task's own condition (another writer got there first); a conflict with a concurrent transaction on the
      // same items is the same race, lost: the caller re-reads.
      if (reasons?.some((x) => x.Code === 'ConditionalCheckFailed' || x.Code === 'TransactionConflict'))
        return false;
      throw e;
    }
  }

  async byExternalRef(ref: string): Promise<WorkTask | undefined> {
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: WORKFLOWS_INDEX.byRef.indexName,
        KeyConditionExpression: 'refPk = :p',
        ExpressionAttributeValues: { ':p': `TASK_REF#${ref}` },
        Limit: 1,
      }),
    );
    const id = (r.Items?.[0]?.record as WorkTask | undefined)?.id;
    return id ? this.get(id) : undefined;
  }

  async list(q: TaskQuery): Promise<WorkTask[]> {
    const limit = q.limit ?? 1000;
    if (q.subjectId !== undefined) return this.listPartition(`TASK_SUBJ#${q.subjectId}`, true, q, limit);
    if (q.status !== undefined) return this.listPartition(`TASKS#${q.status}`, false, q, limit);
    // No status and no subject (an execution's tasks, or every task): one status partition after another, merged
    // newest first, as the other stores answer.
    const parts = await Promise.all(
      TASK_STATUSES.map((s) => this.listPartition(`TASKS#${s}`, false, q, limit)),
    );
    return parts
      .flat()
      .sort((x, y) => (isAfter(x, y) ? 1 : isAfter(y, x) ? -1 : 0))
      .slice(0, limit);
  }

  async listByAssignee(q: AssigneeQuery): Promise<WorkTask[]> {
    // The partition holds only tasks of this status and key: the status filter of listPartition never drops one.
    return this.listPartition(`TASK_KEY#${q.status}#${q.key}`, false, q, q.limit ?? 1000, true);
  }

  /**
   * Up to `limit` tasks of one index partition matching `q`, newest first, strictly after `q.before`. `exact`: every
   * item of the partition matches, so each Query asks for no more items than the page still needs (a filtered read
   * pages by 1 MB instead, not to pay a round trip per `limit` items it drops).
   */
  private async listPartition(
    pk: string,
    bySubject: boolean,
    q: Pick<TaskQuery, 'status' | 'executionId'> & { before?: TaskPosition | undefined },
    limit: number,
    exact = false,
  ): Promise<WorkTask[]> {
    const out: WorkTask[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: bySubject ? WORKFLOWS_INDEX.bySubject.indexName : WORKFLOWS_INDEX.byStatus.indexName,
          // The sort keys are `<createdAt>#<id>`: the keyset place is a range of the same index, read from there.
          KeyConditionExpression: `${bySubject ? 'subjPk' : 'statusPk'} = :p${
            q.before ? ` AND ${bySubject ? 'subjSk' : 'statusSk'} < :before` : ''
          }`,
          ExpressionAttributeValues: {
            ':p': pk,
            ...(q.before ? { ':before': `${q.before.createdAt}#${q.before.id}` } : {}),
          },
          ScanIndexForward: false,
          // No more than the page needs: a person's page reads as many items as it answers.
          ...(exact ? { Limit: limit - out.length } : {}),
          ExclusiveStartKey: start,
        }),
      );
      for (const item of r.Items ?? []) {
        const t = item.record as WorkTask;
        if (q.status !== undefined && t.status !== q.status) continue;
        if (q.executionId !== undefined && t.executionId !== q.executionId) continue;
        out.push(t);
      }
      start = r.LastEvaluatedKey;
    } while (start && out.length < limit);
    return out.slice(0, limit);
  }

  async update(task: WorkTask, expected: number): Promise<boolean> {
    // Always against a stored revision: an update never creates a task (that is upsert's). The stored item names the
    // keys written with it, so the ones this update drops are deleted in the same transaction.
    const current = await this.item(task.id);
    if (!current || current.record.revision !== expected) return false;
    return this.write({ ...task, revision: expected + 1 }, current.keys, revisionIs(expected));
  }

  /**
   * The migration of tasks stored before the index by assignee (items without `akeys`): writes each one's key items
   * and `akeys`, under a condition that it is still at the revision read and still without keys (a task rewritten
   * meanwhile was indexed by that write). Walks every status partition by keyset; safe to run again or while the
   * service runs. Answers how many tasks it read and how many it indexed. Deployed, it runs as the data migration
   * `tasks-by-assignee` a bounded step at a time (`indexLegacyTasksStep`, the `workflow-starts` schedule).
   */
  async indexLegacyTasks(): Promise<{ read: number; indexed: number }> {
    let read = 0;
    let indexed = 0;
    let from: string | undefined;
    do {
      const s = await this.indexLegacyTasksStep(from, 500);
      read += s.read;
      indexed += s.changed;
      from = s.next;
    } while (from !== undefined);
    return { read, indexed };
  }

  /**
   * One step of `indexLegacyTasks`: reads at most `budget` tasks from `from` (an opaque position: the status
   * partition's place in TASK_STATUSES and the query's last key; undefined: the first partition's start) and answers
   * the next position, absent after the last partition. Throws a TypeError on a position it did not write.
   */
  async indexLegacyTasksStep(from: string | undefined, budget: number): Promise<MigrationStep> {
    const at =
      from === undefined ? { s: 0 } : (JSON.parse(from) as { s: number; k?: Record<string, unknown> });
    const status = TASK_STATUSES[at.s];
    if (status === undefined) throw new TypeError(`not a task migration position: ${from}`);
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: WORKFLOWS_INDEX.byStatus.indexName,
        KeyConditionExpression: 'statusPk = :p',
        ExpressionAttributeValues: { ':p': `TASKS#${status}` },
        Limit: Math.max(1, budget),
        ...(at.k ? { ExclusiveStartKey: at.k } : {}),
      }),
    );
    let changed = 0;
    const items = r.Items ?? [];
    for (const item of items) {
      if (item.akeys !== undefined) continue;
      const t = item.record as WorkTask;
      const condition: PutCondition = {
        ConditionExpression: 'revision = :r AND attribute_not_exists(akeys)',
        ExpressionAttributeValues: { ':r': t.revision },
      };
      // The same revision: indexing changes no task, so no optimistic writer loses to it.
      if (await this.write(t, [], condition)) changed++;
    }
    const next = r.LastEvaluatedKey
      ? { s: at.s, k: r.LastEvaluatedKey }
      : at.s + 1 < TASK_STATUSES.length
        ? { s: at.s + 1 }
        : undefined;
    return { read: items.length, changed, ...(next ? { next: JSON.stringify(next) } : {}) };
  }
}

function noteItem(n: NotificationRecord) {
  const due = n.status === 'pending' || n.status === 'sending';
  return {
    pk: `NOTE#${n.id}`,
    sk: 'NOTE',
    ...(due
      ? { statusPk: 'NOTES_DUE', statusSk: `${pad(n.nextAttemptAt)}#${n.id}` }
      : { statusPk: `NOTES#${n.status}`, statusSk: `${n.createdAt}#${n.id}` }),
    subjPk: `NOTE_TOPIC#${n.topic}`,
    subjSk: `${n.createdAt}#${n.id}`,
    attempts: n.attempts,
    record: n,
  };
}

/**
 * The notification queue on AWS. Due notifications sit in one index partition ordered by their due time; a claim
 * moves each one's due time to the end of its lease with a condition on its attempt count, so two dispatchers never
 * send the same notification at once.
 */
export class DynamoNotificationStore implements NotificationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async enqueue(n: NotificationRecord): Promise<boolean> {
    return putWhen(this.db, this.table, noteItem(n), absent);
  }

  async claim(nowMs: number, limit: number, leaseMs: number): Promise<NotificationRecord[]> {
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: WORKFLOWS_INDEX.byStatus.indexName,
        KeyConditionExpression: 'statusPk = :p AND statusSk < :t',
        ExpressionAttributeValues: { ':p': 'NOTES_DUE', ':t': `${pad(nowMs + 1)}` },
        Limit: limit,
      }),
    );
    const claimed: NotificationRecord[] = [];
    for (const item of r.Items ?? []) {
      const n = item.record as NotificationRecord;
      const next: NotificationRecord = {
        ...n,
        status: 'sending',
        attempts: n.attempts + 1,
        nextAttemptAt: nowMs + leaseMs,
      };
      const condition = {
        ConditionExpression: 'attempts = :a',
        ExpressionAttributeValues: { ':a': n.attempts },
      };
      if (await putWhen(this.db, this.table, noteItem(next), condition)) claimed.push(next);
    }
    return claimed;
  }

  async settle(
    id: string,
    o:
      | { status: 'sent'; at: string }
      | { status: 'pending'; nextAttemptAt: number; error: string }
      | { status: 'dead'; error: string },
  ): Promise<void> {
    const n = await this.get(id);
    if (!n) return;
    const next: NotificationRecord = {
      ...n,
      status: o.status,
      ...(o.status === 'sent' ? { sentAt: o.at } : { lastError: o.error }),
      ...(o.status === 'pending' ? { nextAttemptAt: o.nextAttemptAt } : {}),
    };
    await this.db.send(new PutCommand({ TableName: this.table, Item: noteItem(next) }));
  }

  async get(id: string): Promise<NotificationRecord | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `NOTE#${id}`, sk: 'NOTE' }, ConsistentRead: true }),
    );
    return (r.Item?.record as NotificationRecord | undefined) ?? undefined;
  }

  async list(q: {
    topic?: string;
    status?: NotificationStatus;
    limit?: number;
  }): Promise<NotificationRecord[]> {
    const limit = q.limit ?? 1000;
    if (q.topic === undefined) {
      // By status: due ones share one partition (ordered by due time), sent and dead ones one each.
      const partitions =
        q.status === undefined
          ? ['NOTES_DUE', 'NOTES#sent', 'NOTES#dead']
          : [q.status === 'pending' || q.status === 'sending' ? 'NOTES_DUE' : `NOTES#${q.status}`];
      const items: NotificationRecord[] = [];
      for (const p of partitions) {
        const r = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: WORKFLOWS_INDEX.byStatus.indexName,
            KeyConditionExpression: 'statusPk = :p',
            ExpressionAttributeValues: { ':p': p },
            ScanIndexForward: false,
            Limit: limit,
          }),
        );
        items.push(...(r.Items ?? []).map((i) => i.record as NotificationRecord));
      }
      return items
        .filter((n) => q.status === undefined || n.status === q.status)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
        .slice(0, limit);
    }
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: WORKFLOWS_INDEX.bySubject.indexName,
        KeyConditionExpression: 'subjPk = :p',
        ExpressionAttributeValues: { ':p': `NOTE_TOPIC#${q.topic}` },
        ScanIndexForward: false,
      }),
    );
    return (r.Items ?? [])
      .map((i) => i.record as NotificationRecord)
      .filter((n) => q.status === undefined || n.status === q.status)
      .slice(0, limit);
  }
}

export interface IndexedExecution {
  executionArn: string;
  workflow: string;
  name: string;
  subject: WorkflowSubject;
  startedAt: string;
}

/** The executions of a subject (Step Functions cannot list by input): one item written at each start. */
export class DynamoExecutionIndex {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async put(e: IndexedExecution): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.table,
        Item: { pk: `EXEC#${e.subject.type}#${e.subject.id}`, sk: `${e.startedAt}#${e.name}`, record: e },
      }),
    );
  }

  async bySubject(subject: WorkflowSubject): Promise<IndexedExecution[]> {
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :p',
        ExpressionAttributeValues: { ':p': `EXEC#${subject.type}#${subject.id}` },
        ScanIndexForward: false,
      }),
    );
    return (r.Items ?? []).map((i) => i.record as IndexedExecution);
  }

  async byName(subject: WorkflowSubject, name: string): Promise<IndexedExecution | undefined> {
    return (await this.bySubject(subject)).find((e) => e.name === name);
  }
}

/** Remediation records on AWS: `REM#<violation id>` / `REM`, replaced under a revision condition. */
export class DynamoRemediationStore implements RemediationStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(id: string): Promise<RemediationRecord | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `REM#${id}`, sk: 'REM' }, ConsistentRead: true }),
    );
    return (r.Item?.record as RemediationRecord | undefined) ?? undefined;
  }

  async put(rec: RemediationRecord, expected: number): Promise<boolean> {
    const revision = expected + 1;
    const item = { pk: `REM#${rec.violationId}`, sk: 'REM', revision, record: { ...rec, revision } };
    return putWhen(this.db, this.table, item, atRevision(expected));
  }
}

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** The status-index partition of change requests whose workflow has not started (GovernanceRequestStore.unstarted). */
const UNSTARTED_PK = 'REQ_UNSTARTED';
/** The pk of the counter of the open change requests filed under one person key (people.ts) on one agreement. */
/** The counter of person key `key`'s requests that count toward the cap on subject `subjectId` (agreement or service). */
const openCounterPk = (subjectId: string, key: string) => `REQ_OPEN#${subjectId}#${key}`;
/**
 * The counters a request is counted on while it counts toward the cap (a person's open api request): one per key
 * its requester is filed under (`actorKeys`); none otherwise.
 */
const holdsOf = (r: GovernanceRequest): string[] =>
  countsTowardCap(r, { subject: r.requestedBy })
    ? actorKeys(r.requestedBy).map((k) => openCounterPk(subjectOf(r), k))
    : [];
/** The counters a stored request item holds: a list, or one pk in items written before person keys (the old key). */
const heldBy = (holds: unknown): string[] =>
  Array.isArray(holds) ? (holds as string[]) : typeof holds === 'string' ? [holds] : [];

/** The item listing the api change requests filed under one person key on one agreement (the recent cap). */
const askedPk = (subjectId: string, key: string) => `REQ_ASKED#${subjectId}#${key}`;
/** The person key an asked-list pk is for. */
const keyOfAsked = (subjectId: string, pk: string) => pk.slice(`REQ_ASKED#${subjectId}#`.length);
/** Whether a request is on the asked lists: a person's change request (source `api`), whatever its status. */
const isAsked = (r: GovernanceRequest): boolean => r.kind === 'change-request' && r.source === 'api';

/** One asked list as read: its version `v` (0 and `present` false when the item is not there yet) and entries. */
interface AskedList {
  pk: string;
  present: boolean;
  v: number;
  asked: AskedRequest[];
}

/**
 * Change requests and freeze exceptions on AWS: `REQ#<id>` / `REQ`, listed through the subject index
 * (`subjPk REQ_SUBJ#<agreement or service id>`, `subjSk <requestedAt>#<id>`), replaced under a revision condition.
 *
 * The per-person caps (`recordIfUnder`: open change requests of an agreement, pending freeze exceptions of a service)
 * are kept atomic by counter items per (subject, person key): a person key is
 * how shared/domain/people.ts files a recorded requester (`sub:<exactly>` and `email:<lower case>`; each open api
 * request is counted on both of its requester's), and `n` is the number of open api requests filed under it. Every
 * write that makes a request start or stop counting moves its counters in the same TransactWriteItems as the request
 * (the request item carries `holds`, the counters it is counted on, so a write knows whether it stops counting);
 * `recordIfUnder` reads the counters of the person's `personKeys`, whose sum is the number of open requests
 * `samePerson` gives to that person, each once, and writes the request with conditions that each counter still holds
 * the value read. Two requests at the same instant: one transaction wins, the other is cancelled, reads again and
 * meets the cap.
 *
 * The recent cap (`recordIfUnder`'s `recent`: `changeRequest.maxPerRequesterPerDay`, a sliding 24 h) is kept atomic
 * the same way, by one *asked list* item per (agreement, person key), `REQ_ASKED#<agreement>#<key>`: the person's api
 * change requests filed under the key (`{id, at}`), whatever became of them, and a version `v`. Recording a person's
 * api change request reads the lists of the person's `personKeys` and of the request's `actorKeys` (consistent
 * reads), counts the entries after `since` under the person's keys (each request once), and in the request's
 * transaction rewrites the request's own lists (entries at or before `since` dropped, the request added, `v` + 1) and
 * checks the person's others, each on condition that `v` is still the value read. A list per key rather than day
 * counters or slots: the window slides exactly (no bucket edges), the 409 names the very requests and the oldest's
 * time as before, and one small item (at most about the limit's entries, as older ones are dropped at each write)
 * serves the whole window. Requests recorded before the lists existed: a list not there yet is seeded, in the same
 * read, from the agreement's requests (`listBySubject`, read back consistently), and written on condition it is still
 * absent, so they count as before; the index lags a write by well under a second, so only a request written by the
 * old code in that moment before the upgrade could be missed.
 */
export class DynamoGovernanceRequestStore implements GovernanceRequestStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async get(id: string): Promise<GovernanceRequest | undefined> {
    const r = await this.db.send(
      new GetCommand({ TableName: this.table, Key: { pk: `REQ#${id}`, sk: 'REQ' }, ConsistentRead: true }),
    );
    return (r.Item?.record as GovernanceRequest | undefined) ?? undefined;
  }

  async put(rec: GovernanceRequest, expected: number): Promise<boolean> {
    const item = this.item(rec, expected + 1);
    let before: string[] = [];
    if (expected > 0) {
      const r = await this.db.send(
        new GetCommand({ TableName: this.table, Key: { pk: item.pk, sk: 'REQ' }, ConsistentRead: true }),
      );
      if (r.Item?.revision !== expected) return false;
      before = heldBy(r.Item.holds);
    }
    const after = item.holds ?? [];
    const stops = before.filter((pk) => !after.includes(pk));
    const starts = after.filter((pk) => !before.includes(pk));
    if (stops.length + starts.length === 0) return putWhen(this.db, this.table, item, atRevision(expected));
    // The request starts or stops counting toward the cap: its counters move in the same transaction.
    const ops: TransactItem[] = [
      { Put: { TableName: this.table, Item: item, ...atRevision(expected) } },
      ...stops.map((pk) => this.bump(pk, -1)),
      ...starts.map((pk) => this.bump(pk, 1)),
    ];
    return this.transact(ops).then((r) => r === 'ok');
  }

  async recordIfUnder(
    r: GovernanceRequest,
    limit: number,
    who: Person,
    recent?: RecentCap,
  ): Promise<CappedRecordResult> {
    const item = this.item(r, 1);
    const holds = item.holds ?? [];
    const subject = subjectOf(r);
    const counters = personKeys(who).map((k) => openCounterPk(subject, k));
    // The asked lists: the person's (counted) and the request's own (rewritten with it).
    const whoseAsked = recent ? personKeys(who).map((k) => askedPk(subject, k)) : [];
    const ownAsked = isAsked(r) ? actorKeys(r.requestedBy).map((k) => askedPk(subject, k)) : [];
    const askedPks = [...new Set([...whoseAsked, ...ownAsked])];
    const since = recent?.since ?? '';
    for (let attempt = 0; attempt < 20; attempt++) {
      const seen = await Promise.all(
        counters.map(async (pk) => {
          const c = await this.db.send(
            new GetCommand({ TableName: this.table, Key: { pk, sk: 'REQ_OPEN' }, ConsistentRead: true }),
          );
          return { pk, n: Number(c.Item?.n ?? 0) };
        }),
      );
      if (seen.reduce((sum, c) => sum + c.n, 0) >= limit) {
        if (await this.get(r.id)) return { status: 'exists' };
        const open = (await this.listBySubject(subjectOf(r))).filter((x) => countsTowardCap(x, who));
        return { status: 'over-limit', openIds: open.map((x) => x.id) };
      }
      const lists = await this.askedLists(subject, askedPks);
      if (recent) {
        const byId = new Map<string, AskedRequest>();
        for (const l of lists)
          if (whoseAsked.includes(l.pk))
            for (const e of l.asked) if (e.requestedAt > since) byId.set(e.id, e);
        const asked = [...byId.values()].sort(
          (a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id),
        );
        if (asked.length >= recent.limit) {
          if (await this.get(r.id)) return { status: 'exists' };
          return { status: 'over-recent-limit', asked };
        }
      }
      // Every counter read must still hold what was read; the request's own go up by one with it.
      const ops: TransactItem[] = [
        { Put: { TableName: this.table, Item: item, ...absent } },
        ...seen.map(({ pk, n }): TransactItem => {
          const unchanged = {
            ConditionExpression: n === 0 ? 'attribute_not_exists(n) OR n = :seen' : 'n = :seen',
            ExpressionAttributeValues: { ':seen': n },
          };
          if (!holds.includes(pk))
            return { ConditionCheck: { TableName: this.table, Key: { pk, sk: 'REQ_OPEN' }, ...unchanged } };
          const up = this.bump(pk, 1).Update!;
          return {
            Update: {
              ...up,
              ConditionExpression: unchanged.ConditionExpression,
              ExpressionAttributeValues: {
                ...up.ExpressionAttributeValues,
                ...unchanged.ExpressionAttributeValues,
              },
            },
          };
        }),
        ...holds.filter((pk) => !counters.includes(pk)).map((pk) => this.bump(pk, 1)),
        ...lists.map((l) => this.askedWrite(l, ownAsked.includes(l.pk) ? r : undefined, since)),
      ];
      const res = await this.transact(ops);
      if (res === 'ok') return { status: 'recorded' };
      if (res === 'first-failed') return { status: 'exists' };
    }
    throw new ConflictError(
      `the open requests of ${r.requestedBy} on ${subjectOf(r)} kept changing: try again`,
    );
  }

  /**
   * Reads asked lists consistently. A list not there yet is seeded from the agreement's requests filed under its key
   * (written before the lists existed); its write is then conditioned on it being still absent.
   */
  private async askedLists(subject: string, pks: string[]): Promise<AskedList[]> {
    const read = await Promise.all(
      pks.map(async (pk): Promise<AskedList> => {
        const i = (
          await this.db.send(
            new GetCommand({ TableName: this.table, Key: { pk, sk: 'REQ_ASKED' }, ConsistentRead: true }),
          )
        ).Item;
        const asked = ((i?.asked as { id: string; at: string }[] | undefined) ?? []).map((e) => ({
          id: e.id,
          requestedAt: e.at,
        }));
        return { pk, present: i !== undefined, v: Number(i?.v ?? 0), asked };
      }),
    );
    if (read.every((l) => l.present)) return read;
    const before = (await this.listBySubject(subject)).filter(isAsked);
    return read.map((l) =>
      l.present
        ? l
        : {
            ...l,
            asked: before
              .filter((x) => actorKeys(x.requestedBy).includes(keyOfAsked(subject, l.pk)))
              .map((x) => ({ id: x.id, requestedAt: x.requestedAt })),
          },
    );
  }

  /**
   * The transaction action for one asked list read as `l`: unchanged since the read (`v`, or still absent); when
   * `add` is given, rewritten without the entries at or before `since` and with `add`'s entry, `v` one more.
   */
  private askedWrite(l: AskedList, add: GovernanceRequest | undefined, since: string): TransactItem {
    const Key = { pk: l.pk, sk: 'REQ_ASKED' };
    const unchanged = l.present
      ? { ConditionExpression: 'v = :seen', ExpressionAttributeValues: { ':seen': l.v } }
      : { ConditionExpression: 'attribute_not_exists(pk)' };
    if (!add) return { ConditionCheck: { TableName: this.table, Key, ...unchanged } };
    const asked = [
      ...l.asked.filter((e) => e.requestedAt > since && e.id !== add.id),
      { id: add.id, requestedAt: add.requestedAt },
    ].map((e) => ({ id: e.id, at: e.requestedAt }));
    return {
      Put: { TableName: this.table, Item: { ...Key, v: l.v + 1, asked }, ...unchanged },
    };
  }

  private item(rec: GovernanceRequest, revision: number) {
    const holds = holdsOf(rec);
    return {
      pk: `REQ#${rec.id}`,
      sk: 'REQ',
      subjPk: `REQ_SUBJ#${subjectOf(rec)}`,
      subjSk: `${requestedAtOf(rec)}#${rec.id}`,
      revision,
      ...(holds.length ? { holds } : {}),
      // Sparse: only while the request waits for its workflow to start, so `unstarted` reads just those.
      ...(awaitsStart(rec) ? { statusPk: UNSTARTED_PK, statusSk: `${rec.requestedAt}#${rec.id}` } : {}),
      record: { ...rec, revision },
    };
  }

  /** Adds `by` to a counter (created at 0 when missing). */
  private bump(pk: string, by: number): TransactItem {
    return {
      Update: {
        TableName: this.table,
        Key: { pk, sk: 'REQ_OPEN' },
        UpdateExpression: 'SET n = if_not_exists(n, :zero) + :by',
        ExpressionAttributeValues: { ':zero': 0, ':by': by },
      },
    };
  }

  /** Runs a transaction: ok, or which condition failed (the first action's, or another's). */
  private async transact(ops: TransactItem[]): Promise<'ok' | 'first-failed' | 'other-failed'> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: ops }));
      return 'ok';
    } catch (e) {
      const reasons = cancellationReasons(e);
      if (!reasons) throw e;
      if (reasons[0]?.Code === 'ConditionalCheckFailed') return 'first-failed';
      if (reasons.some((x) => x.Code === 'ConditionalCheckFailed' || x.Code === 'TransactionConflict'))
        return 'other-failed';
      throw e;
    }
  }

  /** From the sparse `REQ_UNSTARTED` partition of the status index, each read back (the index lags the item). */
  async unstarted(limit: number): Promise<ChangeRequestRecord[]> {
    const r = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: WORKFLOWS_INDEX.byStatus.indexName,
        KeyConditionExpression: 'statusPk = :p',
        ExpressionAttributeValues: { ':p': UNSTARTED_PK },
        Limit: limit,
      }),
    );
    const latest = await Promise.all(
      (r.Items ?? []).map(async (i) => (await this.get((i.record as GovernanceRequest).id)) ?? undefined),
    );
    return latest.filter((x): x is ChangeRequestRecord => x !== undefined && awaitsStart(x));
  }

  async listBySubject(subjectId: string): Promise<GovernanceRequest[]> {
    const out: GovernanceRequest[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const r = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: WORKFLOWS_INDEX.bySubject.indexName,
          KeyConditionExpression: 'subjPk = :p',
          ExpressionAttributeValues: { ':p': `REQ_SUBJ#${subjectId}` },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      out.push(...(r.Items ?? []).map((i) => i.record as GovernanceRequest));
      start = r.LastEvaluatedKey;
    } while (start);
    // The index is eventually consistent: read each back so a list shows the latest revision.
    return Promise.all(out.map(async (x) => (await this.get(x.id)) ?? x));
  }
}
