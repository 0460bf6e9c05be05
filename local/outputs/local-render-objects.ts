import { readdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { RemoveJobPorts } from '../../amplify/functions/remove-job/remove-job';

/** `key` as a path inside `rootDir`, or an error if it would leave it. */
const pathInside = (rootDir: string, key: string): string => {
  const path = resolve(rootDir, key);
  const inside = relative(resolve(rootDir), path);
  if (!inside || inside.startsWith('..') || inside.split(sep).includes('..'))
    throw new Error(`Object key ${JSON.stringify(key)} must name a file under ${rootDir}.`);
  return path;
};

/**
 * Local mode's output bucket and render state for the job remover: files under `outputsDir` (the S3 outputs), and
 * the local renderer's record `<stateDir>/<renderId>.json` with any partial file of that render beside the output
 * (`.<renderId>.part.*`), its stand-ins for Remotion's `renders/<renderId>/`.
 */
export const createLocalRenderObjects = ({
  outputsDir,
  stateDir,
}: {
  outputsDir: string;
  stateDir: string;
}): Pick<RemoveJobPorts, 'deleteOutputs' | 'deleteRenderState'> => ({
  async deleteOutputs(keys) {
    for (const key of keys) rmSync(pathInside(outputsDir, key), { force: true });
  },
  async deleteRenderState({ renderId, outputKey }) {
    rmSync(pathInside(stateDir, `${renderId}.json`), { force: true });
    if (!outputKey) return;
    const folder = dirname(pathInside(outputsDir, outputKey));
    let names: string[] = [];
    try {
      names = readdirSync(folder);
    } catch {
      return; // No folder: the render wrote nothing there.
    }
    for (const name of names)
      if (name.startsWith(`.${renderId}.part.`)) rmSync(join(folder, name), { force: true });
  },
});
