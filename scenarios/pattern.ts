/**
 * Compiling `dataMatches` patterns (revision 2). A pattern comes from a
 * scenario file, so matching must stay bounded however it is written: V8 is
 * told to leave its backtracking engine for its linear-time one once a match
 * has backtracked a bounded number of times (a pattern such as `(a+)+b`
 * would otherwise run for minutes on 40 bytes).
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
setFlagsFromString('--regexp-backtracks-before-fallback=100000');

/** The pattern compiled with flag m, or the compiler's message. */
export function compilePattern(source: string): RegExp | { error: string } {
  try {
    return new RegExp(source, 'm');
  } catch (e) {
    return { error: (e as Error).message };
  }
}
