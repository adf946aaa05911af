/**
 * Contract of the code sandbox: generated Python is untrusted and only ever runs through this.
 * @public
 */

export interface SandboxLimits {
  /** Wall-clock limit; the whole process group is killed when it passes. @default 10000 */
  readonly timeoutMs: number;
  /** Address-space limit of the Python process. @default 512 */
  readonly memoryMb: number;
  /** Bytes kept of stdout and of stderr each; the rest is dropped and `outputTruncated` set. @default 65536 */
  readonly outputBytes: number;
}

export interface SandboxRunOptions extends Partial<SandboxLimits> {
  readonly stdin?: string;
  readonly signal?: AbortSignal;
}

export interface SandboxResult {
  /** Exit code 0, no timeout, no limit hit. */
  readonly ok: boolean;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  readonly memoryExceeded: boolean;
  readonly outputTruncated: boolean;
  readonly durationMs: number;
  /** True when the result came from the sandbox's result cache instead of a new process. */
  readonly cached: boolean;
}

export interface CodeSandbox {
  /** Runs a Python program. Never throws for a failing program; throws CoreError SANDBOX_UNAVAILABLE when python3 is missing. */
  runPython(code: string, options?: SandboxRunOptions): Promise<SandboxResult>;
}
