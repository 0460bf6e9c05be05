import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from './run-command';

/** The render every speed comparison uses: same composition, props, codec on both sides. */
export interface ReferenceRender {
  compositionId: string;
  inputProps: Record<string, unknown>;
  codec: 'h264';
}

/** The `npx remotion render` arguments for {@link ReferenceRender} (entry point and browser come from remotion.config.ts). */
export function buildCliRenderArgs(
  render: ReferenceRender,
  propsFile: string,
  outputFile: string,
): string[] {
  return [
    'remotion',
    'render',
    render.compositionId,
    outputFile,
    `--props=${propsFile}`,
    `--codec=${render.codec}`,
  ];
}

/**
 * Times `npx remotion render` (bundling and browser launch included, as a user running it pays them)
 * `runs` times; each run must produce a non-empty file.
 */
export async function measureCliRenders(
  cwd: string,
  render: ReferenceRender,
  runs: number,
  log: (line: string) => void,
): Promise<number[]> {
  const workDir = mkdtempSync(join(tmpdir(), 'bench-cli-'));
  try {
    const propsFile = join(workDir, 'props.json');
    writeFileSync(propsFile, JSON.stringify(render.inputProps));
    const samples: number[] = [];
    for (let run = 1; run <= runs; run += 1) {
      const outputFile = join(workDir, `cli-${run}.mp4`);
      const started = performance.now();
      await runCommand('npx', buildCliRenderArgs(render, propsFile, outputFile), cwd, log);
      const elapsed = performance.now() - started;
      const size = statSync(outputFile, { throwIfNoEntry: false })?.size ?? 0;
      if (size === 0)
        throw new Error(`npx remotion render exited 0 but wrote no video to ${outputFile}`);
      samples.push(Math.round(elapsed));
      log(`cli render ${run}/${runs}: ${Math.round(elapsed)} ms, ${size} bytes`);
    }
    return samples;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
