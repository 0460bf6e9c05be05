// `npm start` as a user runs it: it reaches `ready` with the studio's URL, and a Ctrl-C (SIGINT to the
// terminal's process group) or a SIGTERM to the studio's process stops every process it started: no Java,
// cognito-local or Chromium left.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/free-port';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../local/stack';

/** Every live descendant of `pid` (children, their children, …). */
function descendantsOf(pid: number): number[] {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of table)
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
  }
  return found;
}

/** Running, not just not yet reaped: an exited child whose parent is gone stays a zombie (`Z`) here. */
const isAlive = (pid: number) => {
  try {
    const state = execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
    return !state.trim().startsWith('Z');
  } catch {
    return false; // ps exits 1 when there is no such process
  }
};

const commandOf = (pid: number) => {
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
let child: ChildProcess | undefined;

afterAll(() => {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts `npm start` in a process group of its own, on a temp data folder; resolves at its `ready` line. */
async function startNpmStart() {
  const port = await freePort();
  child = spawn('npm', ['start', '--silent'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, STUDIO_PORT: String(port), LOCAL_DATA_DIR: dataDir },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = child;
  let output = '';
  running.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  running.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((done) => running.once('exit', (code) => done(code)));
  const deadline = Date.now() + 120_000;
  while (!/ready in [\d.]+ s: (\S+)/.test(output)) {
    if (Date.now() > deadline || running.exitCode !== null)
      throw new Error(`npm start did not print ready:\n${output.slice(-2000)}`);
    await new Promise((done) => setTimeout(done, 200));
  }
  return {
    port,
    pid: running.pid!,
    url: /ready in [\d.]+ s: (\S+)/.exec(output)![1]!,
    started: descendantsOf(running.pid!),
    exited,
    output: () => output,
  };
}

/** The processes of `pids` still running once they had up to 10 s to finish exiting. */
async function leftOf(pids: number[]): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  while (pids.some(isAlive) && Date.now() < deadline)
    await new Promise((done) => setTimeout(done, 200));
  return pids.filter(isAlive).map((pid) => `${pid} ${commandOf(pid)}`);
}

/** Sends `signal` unless the process is already gone (it may exit between a check and the kill). */
const signalIfRunning = (pid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
};

describe('npm start', () => {
  it('prints ready with the studio URL, serves it, and a Ctrl-C leaves no process behind', async () => {
    // Prepare
    const run = await startNpmStart();

    // Act: the page, then Ctrl-C as a terminal sends it (to the whole foreground process group).
    const page = await fetch(run.url);
    const html = await page.text();
    const commands = run.started.map(commandOf);
    process.kill(-run.pid, 'SIGINT');
    await run.exited;

    // Assess
    expect(run.url).toBe(`http://127.0.0.1:${run.port}/`);
    expect(page.status).toBe(200);
    expect(html).toContain('<div id="root">');
    expect(commands.some((command) => /DynamoDBLocal\.jar/.test(command))).toBe(true);
    expect(commands.some((command) => /cognito-local/.test(command))).toBe(true);
    expect(await leftOf(run.started), run.output().slice(-1500)).toEqual([]);
  });

  it('stops everything on a SIGTERM to the studio process alone, even when it comes twice', async () => {
    // Prepare: the second run keeps the first run's data folder, as a restart does.
    const run = await startNpmStart();
    const studio = run.started.find((pid) => /^node .*local\/start\.ts/.test(commandOf(pid)));
    expect(studio, run.started.map(commandOf).join('\n')).toBeDefined();

    // Act
    process.kill(studio!, 'SIGTERM');
    await new Promise((done) => setTimeout(done, 50));
    signalIfRunning(studio!, 'SIGTERM');
    await run.exited;

    // Assess
    expect(await leftOf(run.started), run.output().slice(-1500)).toEqual([]);
  });
});
