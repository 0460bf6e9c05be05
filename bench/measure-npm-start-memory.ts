import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReferenceRender } from './measure-cli-render';

/** Resident memory of `npm start` and everything it started (Node, DynamoDB Local's Java, Chromium …). */
export interface NpmStartMemory {
  /** Summed RSS of the process tree once `ready`, before anything is asked of it: the highest of a few samples, MB. */
  idleMb: number;
  /** The highest summed RSS sampled while one render runs end to end (`npm run render -- … --wait`), MB. */
  renderingMb: number;
  /** The process that held the most at the rendering peak, with its MB. */
  largestAtPeak: { command: string; mb: number };
  /** Wall time of that render, ms. */
  renderMs: number;
}

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/** RSS in MB of `root` and all its descendants, by process, from /proc (Linux). */
function treeRss(root: number): { total: number; byProcess: { command: string; mb: number }[] } {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,rss=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => {
      const [pid, ppid, rss, ...args] = line.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), kb: Number(rss), command: args.join(' ') };
    });
  const inTree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const row of table)
      if (!inTree.has(row.pid) && inTree.has(row.ppid)) {
        inTree.add(row.pid);
        grew = true;
      }
  }
  const byProcess = table
    .filter((row) => inTree.has(row.pid))
    .map((row) => ({ command: row.command.slice(0, 80), mb: Math.round(row.kb / 102.4) / 10 }));
  return { total: Math.round(byProcess.reduce((sum, row) => sum + row.mb, 0)), byProcess };
}

const run = (command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) =>
  new Promise<void>((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0
        ? done()
        : fail(new Error(`${command} ${args.join(' ')} exited ${code}: ${output.slice(-1500)}`)),
    );
  });

/**
 * Starts `npm start` as a user does (its own process group, a fresh data folder), samples the memory of its process
 * tree idle, then while `npm run render -- <composition> --wait` renders `render` through it (the first render of
 * that stack: it opens the browser and the compositor), and stops it.
 */
export async function measureNpmStartMemory(
  projectRoot: string,
  render: Pick<ReferenceRender, 'compositionId' | 'inputProps'>,
): Promise<NpmStartMemory> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-npm-start-'));
  const env = {
    ...process.env,
    STUDIO_PORT: String(await freePort()),
    LOCAL_DATA_DIR: dataDir,
  };
  let child: ChildProcess | undefined;
  try {
    child = spawn('npm', ['start', '--silent'], {
      cwd: projectRoot,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const started = child;
    let output = '';
    started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 180_000;
    while (!/ready in [\d.]+ s/.test(output)) {
      if (Date.now() > deadline || started.exitCode !== null)
        throw new Error(`npm start did not print ready:\n${output.slice(-1500)}`);
      await new Promise((done) => setTimeout(done, 250));
    }
    const pid = started.pid!;
    let idleMb = 0;
    for (let sample = 0; sample < 10; sample += 1) {
      idleMb = Math.max(idleMb, treeRss(pid).total);
      await new Promise((done) => setTimeout(done, 500));
    }

    const email = 'memory@bench.example';
    const password = 'Bench-pass-123';
    await run('npm', ['run', '--silent', 'local:user', '--', email, password], env, projectRoot);
    const propsFile = join(dataDir, 'props.json');
    writeFileSync(propsFile, JSON.stringify(render.inputProps));
    let renderingMb = 0;
    let largestAtPeak = { command: '', mb: 0 };
    let rendering = true;
    const sampler = (async () => {
      while (rendering) {
        const tree = treeRss(pid);
        if (tree.total > renderingMb) {
          renderingMb = tree.total;
          largestAtPeak = tree.byProcess.reduce((a, b) => (b.mb > a.mb ? b : a), largestAtPeak);
        }
        await new Promise((done) => setTimeout(done, 250));
      }
    })();
    const renderStarted = performance.now();
    try {
      await run(
        'npm',
        ['run', '--silent', 'render', '--', render.compositionId, '--props', propsFile, '--wait'],
        { ...env, RENDER_STUDIO_USERNAME: email, RENDER_STUDIO_PASSWORD: password },
        projectRoot,
      );
    } finally {
      rendering = false;
      await sampler;
    }
    // `--wait` exits 0 only when the job ended SUCCEEDED, so a failed render throws above instead of being measured.
    const renderMs = Math.round(performance.now() - renderStarted);
    return { idleMb, renderingMb, largestAtPeak, renderMs };
  } finally {
    if (child?.pid && child.exitCode === null) {
      process.kill(-child.pid, 'SIGINT');
      const exited = new Promise((done) => child!.once('exit', done));
      await Promise.race([exited, new Promise((done) => setTimeout(done, 15_000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
}
