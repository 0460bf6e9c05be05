import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Amplify } from 'aws-amplify';
import {
  confirmSignUp,
  fetchAuthSession,
  fetchUserAttributes,
  signIn,
  signUp,
} from 'aws-amplify/auth';
import { startDataPlane, toAmplifyOutputs, type DataPlane } from '../../local/data-plane';

const dirs: string[] = [];
function makeDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'data-plane-lifecycle-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Processes whose command line mentions `text` (e.g. a data folder), other than this test's own. */
function processesMentioning(text: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', text], { encoding: 'utf8' })
      .split('\n')
      .filter((pid) => pid && Number(pid) !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

async function occupyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

describe('data plane lifecycle', () => {
  it('names a busy port in one clear line and starts nothing', async () => {
    const dataDir = makeDataDir();
    const { port, server } = await occupyPort();
    try {
      await expect(startDataPlane({ dataDir, ports: { graphql: port } })).rejects.toThrow(
        new RegExp(
          `^AppSync simulator: port ${port} is already in use\\. Stop whatever uses it or choose another port\\.$`,
        ),
      );
      expect(processesMentioning(dataDir)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('names the fix when java is missing, and stops what it had started', async () => {
    const dataDir = makeDataDir();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startDataPlane({ dataDir })).rejects.toThrow(
        /needs Java 17.*apt-get install -y openjdk-17-jre-headless/,
      );
    } finally {
      process.env.PATH = path;
    }
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  describe('with a running plane', () => {
    const logLines: string[] = [];
    let plane: DataPlane;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = makeDataDir();
      plane = await startDataPlane({ dataDir, log: (line) => logLines.push(line) });
    });
    // A no-op when the last test already stopped it; stops it when that test did not run.
    afterAll(async () => await plane?.stop());

    it('runs one DynamoDB Local on its data folder', () => {
      expect(processesMentioning(join(dataDir, 'dynamodb'))).toHaveLength(1);
    });

    it('supports sign-up in the Amplify client: code printed, confirmed, email verified, tokens refreshed', async () => {
      const outputs = toAmplifyOutputs(plane) as unknown as Parameters<typeof Amplify.configure>[0];
      Amplify.configure(outputs);
      Amplify.configure({
        ...Amplify.getConfig(),
        Auth: {
          Cognito: {
            userPoolId: plane.cognito.userPoolId,
            userPoolClientId: plane.cognito.userPoolClientId,
            userPoolEndpoint: plane.cognito.endpoint,
            loginWith: { email: true },
          },
        },
      });
      const email = 'carol@example.com';
      const password = 'Carol-pass-123';
      const { nextStep } = await signUp({
        username: email,
        password,
        options: { userAttributes: { email } },
      });
      expect(nextStep.signUpStep).toBe('CONFIRM_SIGN_UP');

      const codeLine = await waitForLine(
        logLines,
        /confirmation code for carol@example\.com: (\d+)/,
      );
      const code = /: (\d+)$/.exec(codeLine)![1]!;
      const confirmed = await confirmSignUp({ username: email, confirmationCode: code });
      expect(confirmed.isSignUpComplete).toBe(true);

      const { isSignedIn } = await signIn({
        username: email,
        password,
        options: { authFlowType: 'USER_PASSWORD_AUTH' },
      });
      expect(isSignedIn).toBe(true);
      expect(await fetchUserAttributes()).toMatchObject({ email, email_verified: 'true' });

      const before = (await fetchAuthSession()).tokens?.idToken?.toString();
      await new Promise((done) => setTimeout(done, 1_100)); // a new token differs by its issue time (seconds)
      const after = (await fetchAuthSession({ forceRefresh: true })).tokens?.idToken?.toString();
      expect(after).toBeTruthy();
      expect(after).not.toBe(before);
    });

    it('stops everything it started', async () => {
      await plane.stop();
      expect(processesMentioning(join(dataDir, 'dynamodb'))).toEqual([]);
      const free = createServer();
      await new Promise<void>((done, fail) => {
        free.once('error', fail);
        free.listen(Number(new URL(plane.graphql.url).port), '127.0.0.1', () => done());
      });
      free.close();
    });
  });
});

async function waitForLine(lines: string[], pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const line = lines.find((candidate) => pattern.test(candidate));
    if (line) return line;
    if (Date.now() > deadline)
      throw new Error(`no log line matched ${pattern}; got: ${lines.join(' | ')}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}
