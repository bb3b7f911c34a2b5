import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { BackfillRunInput, BackfillRunStarter } from '../../ports/backfill-runs.js';

/**
 * Starts backfill runs on Step Functions: an execution of the backfill state machine (infra/workflows/backfill.asl.json)
 * named after the run's id, so a repeated start of one run is ExecutionAlreadyExists and starts nothing twice.
 */
export class StepFunctionsBackfillRunner implements BackfillRunStarter {
  constructor(
    private readonly sfn: SFNClient,
    /** The backfill state machine's ARN. */
    private readonly stateMachineArn: string,
  ) {}

  async start(input: BackfillRunInput): Promise<{ executionId: string }> {
    const out = await this.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name: input.jobId,
        input: JSON.stringify(input),
      }),
    );
    return { executionId: out.executionArn! };
  }
}
