import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkpointable } from '../../../shared/adapters/local-sfn/engine.js';
import type { AslDefinition } from '../../../shared/adapters/local-sfn/transform.js';

const asl = (name: string) =>
  JSON.parse(readFileSync(`infra/workflows/${name}.asl.json`, 'utf8')) as AslDefinition;

describe('which workflows the embedded engine resumes from a checkpoint', () => {
  it('resumes approval at the top-level state it waits in: no top-level state of it can be entered twice', () => {
    expect(checkpointable(asl('approval'))).toBe(true);
  });

  it('replays remediation and change requests from their start: they loop at the top level', () => {
    expect(checkpointable(asl('remediation'))).toBe(false);
    expect(checkpointable(asl('change-request'))).toBe(false);
  });

  it('refuses a machine whose Choice or Catch leads back to an earlier top-level state', () => {
    const loop = {
      StartAt: 'Ask',
      States: {
        Ask: { Type: 'Pass', Next: 'Again' },
        Again: {
          Type: 'Choice',
          Choices: [{ Variable: '$.more', BooleanEquals: true, Next: 'Ask' }],
          Default: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    } as unknown as AslDefinition;
    expect(checkpointable(loop)).toBe(false);
    const viaCatch = {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: 'x',
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Fix' }],
          End: true,
        },
        Fix: { Type: 'Pass', Next: 'Work' },
      },
    } as unknown as AslDefinition;
    expect(checkpointable(viaCatch)).toBe(false);
  });

  it('refuses a machine that reads $$.Execution.Input, which a run started at a checkpoint would see changed', () => {
    const reads = {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Next: 'B' },
        B: { Type: 'Pass', Parameters: { 'original.$': '$$.Execution.Input' }, End: true },
      },
    } as unknown as AslDefinition;
    expect(checkpointable(reads)).toBe(false);
  });
});
