import { parseArgs } from 'node:util';

/** What `npm run render -- …` was asked to do. */
export interface RenderArgs {
  compositionId: string;
  /** A JSON file of props; absent: the composition's defaults. */
  propsFile?: string;
  title?: string;
  /** Wait for the job to end (implied by `out`). */
  wait: boolean;
  /** Where to save the finished MP4. */
  out?: string;
  /** `amplify_outputs.json` of a deployed backend; absent: the running local mode's. */
  outputsFile?: string;
}

/** The user's mistake on the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const RENDER_USAGE = `Usage: npm run render -- <compositionId> [--props props.json] [--wait] [--out video.mp4]
                         [--title "My render"] [--outputs amplify_outputs.json]

  <compositionId>   a composition of the studio's catalog
  --props FILE      a JSON object of props, laid over the composition's defaults
  --wait            wait for the render to end, printing its progress
  --out FILE        wait, then save the finished MP4 there
  --title TEXT      the job's title in the studio (default: "<compositionId> (scripted)")
  --outputs FILE    the amplify_outputs.json of a deployed backend (default: local mode's, from \`npm start\`)

Credentials come from the environment, never the command line:
  RENDER_STUDIO_USERNAME   the user's email
  RENDER_STUDIO_PASSWORD   the user's password

Exit codes: 0 done (or created, without --wait), 1 the render failed or was cancelled,
2 a bad command line or props, 3 sign-in or API error, 130 interrupted while waiting.`;

/** Parses the arguments after `--`; throws {@link UsageError} saying what was expected and what came. */
export function parseRenderArgs(argv: readonly string[]): RenderArgs {
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  const config = {
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      props: { type: 'string' },
      wait: { type: 'boolean' },
      out: { type: 'string' },
      title: { type: 'string' },
      outputs: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  } as const;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) throw new UsageError('');
  if (positionals.length !== 1)
    throw new UsageError(
      `Expected exactly one composition id, but got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(', ')}.`,
    );
  for (const name of ['props', 'out', 'title', 'outputs'] as const) {
    const value = values[name];
    if (value !== undefined && value.trim() === '')
      throw new UsageError(`--${name} must be followed by a value, but got an empty one.`);
  }
  return {
    compositionId: positionals[0]!,
    ...(values.props ? { propsFile: values.props } : {}),
    ...(values.title ? { title: values.title } : {}),
    wait: Boolean(values.wait) || values.out !== undefined,
    ...(values.out ? { out: values.out } : {}),
    ...(values.outputs ? { outputsFile: values.outputs } : {}),
  };
}
