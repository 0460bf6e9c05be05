import { join } from 'node:path';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** Lints `code` as if it lived at `path`; returns the rules that fired. */
const rulesFiredAt = async (path: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
};

// The layers of docs/architecture.md ("Layout"), as lint enforces them: each planted violation must fail.
describe('import boundaries', () => {
  // The first lint loads the parser and plugins (seconds on a busy machine).
  beforeAll(() => rulesFiredAt('src/lib/warm-up.ts', 'export const x = 1;\n'), 60_000);

  it.each([
    [
      'a feature importing another feature',
      'src/features/jobs/planted.ts',
      "import { Studio } from '../studio/components/studio';\nexport const x = Studio;\n",
      'import-x/no-restricted-paths',
    ],
    [
      'the studio importing local mode',
      'src/lib/planted.ts',
      "import { startLocalStack } from '../../local/stack';\nexport const x = startLocalStack;\n",
      'import-x/no-restricted-paths',
    ],
    [
      'a composition importing the studio',
      'remotion/planted.ts',
      "import { formatSeconds } from '../src/lib/format-time';\nexport const x = formatSeconds;\n",
      'import-x/no-restricted-paths',
    ],
    [
      'the worker core importing the AWS SDK',
      'amplify/functions/render-worker/planted.ts',
      "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const x = SQSClient;\n",
      'no-restricted-imports',
    ],
  ])('refuses %s', async (_what, path, code, rule) => {
    expect(await rulesFiredAt(path, code)).toContain(rule);
  });

  it.each([
    [
      'a feature importing shared studio code',
      'src/features/jobs/planted.ts',
      "import { formatSeconds } from '../../lib/format-time';\nexport const x = formatSeconds;\n",
    ],
    [
      'an AWS adapter beside the worker core importing the SDK',
      'amplify/functions/render-worker/sqs-job-queue.ts',
      "import { SQSClient } from '@aws-sdk/client-sqs';\nexport const x = SQSClient;\n",
    ],
  ])('allows %s', async (_what, path, code) => {
    const fired = await rulesFiredAt(path, code);
    expect(fired).not.toContain('import-x/no-restricted-paths');
    expect(fired).not.toContain('no-restricted-imports');
  });

  it('holds across the project as it is', async () => {
    const results = await eslint.lintFiles(['amplify', 'contract', 'local', 'remotion', 'src']);
    const crossings = results.flatMap((result) =>
      result.messages
        .filter(
          (m) =>
            m.ruleId === 'import-x/no-restricted-paths' || m.ruleId === 'no-restricted-imports',
        )
        .map((m) => `${result.filePath.replace(root, '')}:${m.line} ${m.message}`),
    );
    expect(crossings).toEqual([]);
  }, 120_000);
});
