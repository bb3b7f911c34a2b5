import { StateMachine } from 'aws-local-stepfunctions';
import type { AslDefinition, AslState } from '../../shared/adapters/local-sfn/transform.js';
import { substitute } from '../../shared/adapters/local-sfn/transform.js';
import type { MemoryBackfillObjects } from '../../shared/adapters/memory/backfill-objects.js';
import type { BackfillRunInput, BackfillRunStarter } from '../../shared/ports/backfill-runs.js';
import type { BackfillItem, BackfillRunUseCases } from '../../shared/usecases/backfill-runs.js';
import { BACKFILL_WORKFLOW, localFunctionArn, readDefinition } from '../../shared/workflows.js';

/**
 * infra/workflows/backfill.asl.json run in process by aws-local-stepfunctions, which runs Map states but has no
 * Distributed Map features (3.0.0: no ItemReader, ResultWriter, ToleratedFailurePercentage or ProcessorConfig). So the
 * file is rewritten for the test, and only where those features are:
 * - ItemReader (ListObjectsV2 over the prefix) → ItemsPath over the listing the starter puts in the input, in the
 *   shape ListObjectsV2 gives (`{Key, Size}`, UTF-8 key order);
 * - ResultWriter → the results array stays in the state's output, and the RecordReport handler here writes it as the
 *   ResultWriter would (manifest.json naming one SUCCEEDED file of `{Input, Output, Status}` entries) before calling
 *   the report use case, so the report reads the same files it reads on AWS.
 * Everything else (ItemSelector, the per-object Task with its Retry and Catch, the ObjectFailed Pass, MaxConcurrencyPath,
 * the map's Catch, RecordReport, ReportFailed) runs as written.
 */
export function localBackfillStarter(
  runs: () => BackfillRunUseCases,
  objects: MemoryBackfillObjects,
  bucket: string,
): BackfillRunStarter & { executions: Promise<unknown>[] } {
  const asl = substitute(readDefinition(BACKFILL_WORKFLOW), {
    [BACKFILL_WORKFLOW.bucketPlaceholder]: bucket,
    ...Object.fromEntries(
      Object.entries(BACKFILL_WORKFLOW.substitutions).map(([k, v]) => [k, localFunctionArn(v.handler)]),
    ),
  });
  const map = asl.States.ImportObjects as AslState & Record<string, unknown>;
  const { ItemReader: _r, ResultWriter: _w, ToleratedFailurePercentage: _t, ...rest } = map;
  const processor = { ...(rest.ItemProcessor as Record<string, unknown>) };
  delete processor.ProcessorConfig;
  asl.States.ImportObjects = {
    ...rest,
    ItemsPath: '$.listing',
    ItemProcessor: processor,
    ResultSelector: { 'results.$': '$' },
  } as AslState;
  const sm = new StateMachine(asl as AslDefinition as never, { validationOptions: { noValidate: true } });
  const executions: Promise<unknown>[] = [];
  return {
    executions,
    async start(input: BackfillRunInput) {
      const listing = objects.list(bucket, input.prefix);
      const execution = sm.run({ ...input, listing } as never, {
        overrides: {
          retryIntervalOverrides: { ImportObject: 0, RecordReport: 0 },
          taskResourceLocalHandlers: {
            ImportObject: (item: unknown) => runs().importObject(item as BackfillItem),
            RecordReport: async (state: unknown) => {
              const s = state as { jobId: string; map?: { results: unknown[] }; error?: never };
              if (!s.map) return runs().finish({ jobId: s.jobId, error: s.error });
              const dir = `results/${s.jobId}`;
              objects.put(
                bucket,
                `${dir}/SUCCEEDED_0.json`,
                JSON.stringify(
                  s.map.results.map((out) => ({ Output: JSON.stringify(out), Status: 'SUCCEEDED' })),
                ),
              );
              objects.put(
                bucket,
                `${dir}/manifest.json`,
                JSON.stringify({
                  DestinationBucket: bucket,
                  ResultFiles: { FAILED: [], PENDING: [], SUCCEEDED: [{ Key: `${dir}/SUCCEEDED_0.json` }] },
                }),
              );
              return runs().finish({
                jobId: s.jobId,
                results: { Bucket: bucket, Key: `${dir}/manifest.json` },
              });
            },
          } as never,
        },
      });
      executions.push(execution.result);
      return { executionId: `local:${input.jobId}` };
    },
  };
}
