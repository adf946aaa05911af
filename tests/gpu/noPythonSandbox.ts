/** The GPU checks never execute code: operators that run Python see a failed run on every backend alike. */
import type { CodeSandbox, SandboxResult } from '@flowsteer/core';

export const noPythonSandbox: CodeSandbox = {
  async runPython(): Promise<SandboxResult> {
    return {
      ok: false, exitCode: 1, signal: null, stdout: '', stderr: 'python is not used by the GPU check',
      timedOut: false, memoryExceeded: false, outputTruncated: false, durationMs: 0, cached: false,
    };
  },
};
