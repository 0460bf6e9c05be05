import { describe, expect, it } from 'vitest';
import { summarizeStderr } from '../../../bench/child-stderr';

const SDK_WARNING = `(node:21716) Warning: NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)
versions published after the first week of January 2027
will require node >=22. You are running node v20.20.2.

To continue receiving updates to AWS services, bug fixes,
and security updates please upgrade to node >=22.

More information can be found at: https://a.co/c895JFp
(Use \`node --trace-warnings ...\` to show where the warning was created)
`;

const ENV_ERROR = `Error: The render worker's environment is invalid:
  SPEND_LEDGER_TABLE_NAME must be the name of the SpendLedger DynamoDB table, but got nothing (unset)
The backend definition (amplify/backend.ts) sets these variables: deploy again, and undo any manual change to the function.
    at Y5 (file:///tmp/bench-worker-memory-Ir7GWf/handler.mjs:422:97612)
    at cfr (file:///tmp/bench-worker-memory-Ir7GWf/handler.mjs:428:5784)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;

describe('summarizeStderr', () => {
  it("names the worker's real error, not the AWS SDK's Node version warning printed before it", () => {
    // What the bench's worker memory run printed when the worker came to read SPEND_LEDGER_TABLE_NAME.
    const stderr = `${SDK_WARNING}Render worker initialisation failed; the next invocation tries again ${ENV_ERROR}
node:internal/modules/run_main:123
    triggerUncaughtException(
    ^

${ENV_ERROR}

Node.js v20.20.2
`;

    expect(summarizeStderr(stderr)).toBe(
      "Render worker initialisation failed; the next invocation tries again Error: The render worker's environment is invalid: | " +
        "Error: The render worker's environment is invalid: | " +
        'SPEND_LEDGER_TABLE_NAME must be the name of the SpendLedger DynamoDB table, but got nothing (unset) | ' +
        'The backend definition (amplify/backend.ts) sets these variables: deploy again, and undo any manual change to the function.',
    );
  });

  it("drops Node's pointer into a minified bundle and keeps the last lines, on one line", () => {
    const stderr = `${SDK_WARNING}one\ntwo\nthree\nfile:///tmp/x/handler.mjs:422\n${'var a=1;'.repeat(500)}\n        ^\n\nTypeError: x is not a function\n    at f (file:///tmp/x/handler.mjs:422:10)\n\nNode.js v20.20.2\n`;

    expect(summarizeStderr(stderr)).toBe('one | two | three | TypeError: x is not a function');
  });

  it('caps a long summary and is empty when nothing meaningful was printed', () => {
    const summary = summarizeStderr(`${'x'.repeat(2000)}\n`);
    expect(summary).toHaveLength(600);
    expect(summary.endsWith('…')).toBe(true);
    expect(summarizeStderr(SDK_WARNING)).toBe('');
    expect(summarizeStderr('')).toBe('');
  });
});
