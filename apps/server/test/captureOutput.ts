import { afterEach, beforeEach, vi } from 'vitest';

/** Captures process.stdout/stderr writes for each test of the calling file (CLI tests read what was printed). */
export function captureOutput(): { stdout: () => string; stderr: () => string; clear: () => void } {
  let stdout = '';
  let stderr = '';
  beforeEach(() => {
    stdout = '';
    stderr = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout += String(chunk);
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr += String(chunk);
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    clear: () => {
      stdout = '';
      stderr = '';
    },
  };
}
