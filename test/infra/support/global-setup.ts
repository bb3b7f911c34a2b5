import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The directory test/infra/support/synth-templates.ts writes the synthesized templates to. */
    infraSynthDir: string;
  }
}

let child: ChildProcess | undefined;
let dir: string | undefined;

/**
 * Synthesizes the CDK app ONCE for the whole infra project, in a child process started here and not awaited: the
 * other projects' files run meanwhile, and each infra test file waits for the templates (test/infra/support/templates.ts).
 * Before, stack, workflows and console tests each built and synthesized the app themselves.
 */
export function setup(project: TestProject): void {
  dir = mkdtempSync(join(tmpdir(), 'accord-infra-synth-'));
  const out = dir;
  child = spawn(process.execPath, ['--import', 'tsx', 'test/infra/support/synth-templates.ts', out], {
    cwd: project.config.root,
    env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  // A crash the script could not report itself (killed, out of memory) still ends the waiting tests at once.
  child.once('exit', (code, signal) => {
    if (code !== 0) writeFileSync(join(out, 'exit.txt'), `synthesis exited (${code ?? signal}): ${stderr}`);
  });
  project.provide('infraSynthDir', out);
}

export function teardown(): void {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
}
