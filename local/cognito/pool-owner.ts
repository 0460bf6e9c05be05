// Which process serves a local user pool. cognito-local reads its store once at start and keeps it in memory, so
// a second cognito-local on the same folder writes changes the first never sees (and later overwrites): one
// owner at a time, named in `<poolDir>/owner.json` while it runs, with its endpoint once it answers.
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const ownerSchema = z.object({
  pid: z.number().int().positive(),
  /** `stack`: a local stack (`npm start`, a test) serving the studio; `local:user`: a short-lived pool of its own. */
  holder: z.enum(['stack', 'local:user']),
  endpoint: z.string().optional(),
  userPoolId: z.string().optional(),
});

/** The process that serves a local user pool, as its owner file names it. */
export type PoolOwner = z.infer<typeof ownerSchema>;
export type PoolHolder = PoolOwner['holder'];

/** A claim on a pool folder, held by this process until released. */
export interface PoolClaim {
  /** Names the endpoint and pool id, so others go through this process instead of starting their own. */
  announce(endpoint: string, userPoolId: string): void;
  /** Removes the owner file (if it still names this process); safe to call twice. */
  release(): void;
}

/** Thrown by {@link claimPool} when a live process serves the pool. */
export class PoolInUseError extends Error {
  constructor(
    readonly poolDir: string,
    readonly owner: PoolOwner,
  ) {
    super(
      `The local user pool in ${poolDir} is in use by process ${owner.pid} (${owner.holder === 'stack' ? 'a running local stack, e.g. `npm start`' : '`npm run local:user`'}). ` +
        'Stop that process first, or give this one another LOCAL_DATA_DIR.',
    );
    this.name = 'PoolInUseError';
  }
}

/** True while a process with this pid runs (EPERM: it runs but belongs to another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie (exited, never reaped: its parent died too) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true; // no procfs (macOS): signal 0 is all there is
  }
}

const ownerFileOf = (poolDir: string) => join(poolDir, 'owner.json');

/**
 * The live owner of the pool in `poolDir`, or undefined if none: no owner file, or one left by a process that is
 * gone (a crash, a SIGKILL), which is removed so it blocks no one.
 */
export function readPoolOwner(poolDir: string): PoolOwner | undefined {
  const file = ownerFileOf(poolDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = ownerSchema.safeParse(safeJsonParse(text));
  if (parsed.success && isProcessAlive(parsed.data.pid)) return parsed.data;
  // Stale or unreadable (it is always written whole, see `writeOwnerFile`): nobody serves the pool.
  rmSync(file, { force: true });
  return undefined;
}

/**
 * Makes this process the pool's owner. A `stack` owner is refused at once (it runs until stopped); a `local:user`
 * owner is done within seconds, so the claim waits up to `waitMs` for it.
 */
export async function claimPool(
  poolDir: string,
  holder: PoolHolder,
  waitMs = 60_000,
): Promise<PoolClaim> {
  mkdirSync(poolDir, { recursive: true });
  const file = ownerFileOf(poolDir);
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (writeOwnerFile(file, { pid: process.pid, holder }, 'create')) break;
    const owner = readPoolOwner(poolDir);
    if (!owner) continue; // it was stale and is gone now
    if (owner.holder === 'stack' || Date.now() > deadline) throw new PoolInUseError(poolDir, owner);
    await new Promise((done) => setTimeout(done, 200));
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    if (readPoolOwner(poolDir)?.pid === process.pid) rmSync(file, { force: true });
  };
  // An exit without stop (an uncaught error, process.exit) must not leave a claim naming a process that lives on.
  process.once('exit', release);
  return {
    announce(endpoint, userPoolId) {
      if (!released)
        writeOwnerFile(file, { pid: process.pid, holder, endpoint, userPoolId }, 'replace');
    },
    release,
  };
}

/**
 * Writes the owner file whole (a temp file, then linked or renamed into place), so a reader never sees half of it.
 * `create` fails (false) if the file exists; `replace` overwrites this process's own file.
 */
function writeOwnerFile(file: string, owner: PoolOwner, mode: 'create' | 'replace'): boolean {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(owner)}\n`);
  try {
    if (mode === 'replace') renameSync(temp, file);
    else linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
}

function safeJsonParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
