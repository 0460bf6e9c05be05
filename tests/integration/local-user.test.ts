// `npm run local:user` beside `npm start`, as a user runs them: the user it creates is one the running studio
// signs in, however busy the studio's process is; with no studio running (a stale owner file left by a killed
// one included), the user lands in the pool on disk that the next start serves.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, describe, expect, it } from 'vitest';
import { startCognitoLocal } from '../../local/cognito/cognito-local';
import { PROJECT_ROOT } from '../../local/stack';
import { freePort } from '../support/free-port';

const dataDir = mkdtempSync(join(tmpdir(), 'local-user-'));
const poolDir = join(dataDir, 'cognito');
let npmStart: ChildProcess | undefined;
let paused: number | undefined;

afterAll(() => {
  if (paused) process.kill(paused, 'SIGCONT');
  if (npmStart?.pid && npmStart.exitCode === null && npmStart.signalCode === null)
    process.kill(-npmStart.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** A child's output as it comes, and its exit. */
function watch(child: ChildProcess) {
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let ended = false;
  // Once its output is read too ('close'), unless a grandchild left holding the pipe keeps it open.
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      const finish = () => {
        ended = true;
        done(code);
      };
      child.once('close', finish);
      setTimeout(finish, 2_000).unref();
    }),
  );
  /** Resolves true once the output matches `pattern`, false if the process ends first. */
  const printed = async (pattern: RegExp) => {
    while (!pattern.test(output)) {
      if (ended) return false;
      await new Promise((done) => setTimeout(done, 100));
    }
    return true;
  };
  return { exited, printed, output: () => output };
}

/** `npm start` on the test's data folder, in a process group of its own; resolves at its `ready` line. */
async function startNpmStart() {
  npmStart = spawn('npm', ['start', '--silent'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, STUDIO_PORT: String(await freePort()), LOCAL_DATA_DIR: dataDir },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = watch(npmStart);
  if (!(await run.printed(/ready in [\d.]+ s: /)))
    // Its own one-line reason, not the esbuild service's goroutine dump that may follow it.
    throw new Error(
      `npm start exited before ready: ${/^render-studio: .*$/m.exec(run.output())?.[0] ?? run.output().slice(-2000)}`,
    );
  return { pid: npmStart.pid!, ...run };
}

/** The node process running local/start.ts under `npm start` (npm → sh → node). */
function studioProcessOf(npmPid: number): number {
  const table = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line)!)
    .map(([, pid, ppid, args]) => ({ pid: Number(pid), ppid: Number(ppid), args: args! }));
  const parents = [npmPid];
  for (let index = 0; index < parents.length; index++)
    for (const row of table)
      if (row.ppid === parents[index]) {
        if (/^node .*local\/start\.ts/.test(row.args)) return row.pid;
        parents.push(row.pid);
      }
  throw new Error(
    `expected a node process running local/start.ts under npm (pid ${npmPid}), but found none`,
  );
}

/** `npm run local:user -- <email> <password>` on the test's data folder. */
function runLocalUser(email: string, password: string) {
  const child = spawn('npm', ['run', '--silent', 'local:user', '--', email, password], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, LOCAL_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watch(child);
}

/** USER_PASSWORD_AUTH sign-in at `endpoint`, as the studio signs in; resolves with the error's name on refusal. */
async function signIn(endpoint: string, clientId: string, email: string, password: string) {
  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const { AuthenticationResult } = await client.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      }),
    );
    return AuthenticationResult?.IdToken ? 'signed in' : 'no tokens';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  } finally {
    client.destroy();
  }
}

describe('npm run local:user', () => {
  it('creates the user through the running studio even while its process is paused (SIGSTOP)', async () => {
    // Prepare
    const studio = await startNpmStart();
    const studioPid = studioProcessOf(studio.pid);
    const outputs = JSON.parse(readFileSync(join(dataDir, 'amplify_outputs.json'), 'utf8')) as {
      auth: { user_pool_client_id: string };
      custom: { local_endpoints: { cognito: string } };
    };
    const endpoint = outputs.custom.local_endpoints.cognito;

    // Act: the studio's process stops answering (as a busy event loop does) while the command runs; it resumes
    // once the command has finished on its own or says it is waiting for the studio.
    process.kill(studioPid, 'SIGSTOP');
    paused = studioPid;
    const command = runLocalUser('a@example.com', 'Passw0rd!');
    await command.printed(/does not answer/);
    process.kill(studioPid, 'SIGCONT');
    paused = undefined;
    const code = await command.exited;
    const signedIn = await signIn(
      endpoint,
      outputs.auth.user_pool_client_id,
      'a@example.com',
      'Passw0rd!',
    );

    // Assess
    expect(signedIn, command.output()).toBe('signed in');
    expect(code, command.output()).toBe(0);
    expect(command.output()).toContain(
      `Created a@example.com through the running studio at ${endpoint}`,
    );

    // Stopping the studio removes its owner file, so nothing blocks the next command.
    process.kill(-studio.pid, 'SIGINT');
    await studio.exited;
    expect(existsSync(join(poolDir, 'owner.json')), studio.output().slice(-1500)).toBe(false);
  });

  it('with no studio running, a stale owner file does not block: the user lands in the pool on disk', async () => {
    // Prepare: an owner file naming a process that is gone, as a SIGKILLed studio leaves it.
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    writeFileSync(
      join(poolDir, 'owner.json'),
      JSON.stringify({
        pid: gone,
        holder: 'stack',
        endpoint: `http://127.0.0.1:${await freePort()}`,
        userPoolId: 'us-east-1_gone',
      }),
    );

    // Act
    const command = runLocalUser('b@example.com', 'Passw0rd!');
    const code = await command.exited;
    const pool = await startCognitoLocal({
      dataDir: poolDir,
      port: await freePort(),
      internalPort: await freePort(),
      log: () => {},
    });
    const signedIn = await signIn(
      pool.endpoint,
      pool.userPoolClientId,
      'b@example.com',
      'Passw0rd!',
    ).finally(() => pool.stop());

    // Assess
    expect(code, command.output()).toBe(0);
    expect(command.output()).toContain(
      `Created b@example.com in the local user pool at ${poolDir} (the studio is not running)`,
    );
    expect(signedIn).toBe('signed in');
    expect(existsSync(join(poolDir, 'owner.json'))).toBe(false);
  });

  it('refuses to serve a pool folder a second time while one process serves it, naming that process', async () => {
    // Prepare
    const start = async () =>
      startCognitoLocal({
        dataDir: poolDir,
        port: await freePort(),
        internalPort: await freePort(),
        log: () => {},
      });
    const first = await start();

    // Act
    const second = await start().then(
      async (pool) => (await pool.stop(), 'started a second writer'),
      (error: Error) => error.message,
    );
    await first.stop();

    // Assess
    expect(second).toContain(
      `The local user pool in ${poolDir} is in use by process ${process.pid}`,
    );
  });
});
