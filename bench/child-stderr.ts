/** How many of the last meaningful lines a summary keeps, and at most how many characters it is. */
const SUMMARY_LINES = 4;
const SUMMARY_CHARS = 600;

// The AWS SDK's notice on Node versions before 22: one multi-line process warning, printed by every run.
const NODE_VERSION_SUPPORT_WARNING =
  /^\(node:\d+\) \w*Warning: NodeVersionSupportWarning:[\s\S]*?^More information can be found at:[^\n]*$/gm;

// Node's pointer into the source where an uncaught error was thrown: the file and line, that line (in a minified
// bundle, a very long one) and a caret under the spot.
const SOURCE_POINTER = /^(?:file:\/\/|node:|\/)\S*:\d+\n.*\n\s*\^+\s*$/gm;

/** Lines that say nothing about what failed: stack frames, the hint after a warning, Node's version trailer. */
const isNoise = (line: string): boolean =>
  /^\s+at /.test(line) || /^\(Use `node --trace-warnings/.test(line) || /^Node\.js v\d+/.test(line);

/**
 * The part of a failed child process's stderr that says what went wrong, on one line: the AWS SDK's Node version
 * warning, stack frames, Node's pointer into the source and its version trailer dropped, a line printed twice kept
 * once (where it came last), and the last few lines that remain joined with " | ". Empty when nothing is left.
 */
export function summarizeStderr(stderr: string): string {
  const lines = stderr
    .replace(/\r\n/g, '\n')
    .replace(NODE_VERSION_SUPPORT_WARNING, '')
    .replace(SOURCE_POINTER, '')
    .split('\n')
    .filter((line) => !isNoise(line))
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const lastOnce = lines.filter((line, index) => lines.lastIndexOf(line) === index);
  const summary = lastOnce.slice(-SUMMARY_LINES).join(' | ');
  return summary.length > SUMMARY_CHARS ? `${summary.slice(0, SUMMARY_CHARS - 1)}…` : summary;
}
