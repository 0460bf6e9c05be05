// `npm run local:user -- <email> <password> [--admin]`: a confirmed user in the local pool, with or without `npm start`;
// `--admin` also puts it in the `admins` group (the Operations view).
// The pool has one writer at a time (local/cognito/pool-owner.ts): through the running studio if there is one,
// however busy it is, else through a cognito-local of this command's own on the pool's folder.
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { LOCAL_AWS_CREDENTIALS, LOCAL_REGION } from './dynamodb/dynamodb-local';
import { createConfirmedUser, startCognitoLocal } from './cognito/cognito-local';
import {
  isProcessAlive,
  PoolInUseError,
  readPoolOwner,
  type PoolOwner,
} from './cognito/pool-owner';

const PROJECT_ROOT = resolve(import.meta.dirname, '..');
// The folder `npm start` uses (local/start.ts).
const dataDir = resolve(process.env.LOCAL_DATA_DIR ?? join(PROJECT_ROOT, '.local'));
const poolDir = join(dataDir, 'cognito');
/** How long to keep trying while the studio runs but does not answer (paused, busy, still starting). */
const PATIENCE_MS = 10 * 60_000;
/** One attempt's limit; a stopped process holds a request open, and the next attempt starts fresh. */
const ATTEMPT_MS = 30_000;

const argsSchema = z.tuple([
  z.email({ error: 'the first argument must be an email address' }),
  z.string().min(8, { error: 'the password must have at least 8 characters' }),
]);

type Outcome = { through: 'studio'; owner: PoolOwner } | { through: 'own pool' };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Tells the user once why nothing happens yet. */
function noticeOnce() {
  let said = false;
  return (line: string) => {
    if (!said) console.log(line);
    said = true;
  };
}

/**
 * Creates the user through the running studio's Cognito endpoint, retrying while the studio's process lives.
 * Resolves false once that process is gone (the caller looks again at who serves the pool).
 */
async function createThroughStudio(
  owner: PoolOwner & { endpoint: string; userPoolId: string },
  email: string,
  password: string,
  deadline: number,
  admin: boolean,
): Promise<boolean> {
  const client = new CognitoIdentityProviderClient({
    endpoint: owner.endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_AWS_CREDENTIALS,
    maxAttempts: 1, // retried below, as long as the studio's process lives
  });
  const gone = new AbortController();
  const watch = setInterval(() => {
    if (!isProcessAlive(owner.pid)) gone.abort();
  }, 500);
  const notice = noticeOnce();
  const slow = setTimeout(
    () =>
      notice(
        `The studio (process ${owner.pid}) does not answer at ${owner.endpoint} yet (busy or paused); still trying…`,
      ),
    5_000,
  );
  try {
    for (;;) {
      try {
        await createConfirmedUser(
          client,
          { userPoolId: owner.userPoolId, email, password, admin },
          { abortSignal: AbortSignal.any([gone.signal, AbortSignal.timeout(ATTEMPT_MS)]) },
        );
        return true;
      } catch (error) {
        if (gone.signal.aborted) return false;
        if (!isUnanswered(error)) throw error;
        if (Date.now() > deadline)
          throw new Error(
            `The studio (process ${owner.pid}) did not answer at ${owner.endpoint} for ${PATIENCE_MS / 60_000} min ` +
              `(last: ${String(error)}). If no studio runs, process ${owner.pid} is another program: ` +
              `delete ${join(poolDir, 'owner.json')} and run this again.`,
          );
        notice(
          `The studio (process ${owner.pid}) does not answer at ${owner.endpoint} yet (busy or paused); still trying…`,
        );
        await sleep(1_000);
      }
    }
  } finally {
    clearInterval(watch);
    clearTimeout(slow);
    client.destroy();
  }
}

/** No answer at all (refused, reset, timed out) or a server failure: worth another try; a Cognito refusal is not. */
function isUnanswered(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500;
}

/** Serves the pool with a cognito-local of this command's own just long enough to create the user. */
async function createInOwnPool(email: string, password: string, admin: boolean) {
  const cognito = await startCognitoLocal({
    dataDir: poolDir,
    port: await freePort(),
    internalPort: await freePort(),
    log: () => {},
    holder: 'local:user',
  });
  try {
    await cognito.createUser(email, password, { admin });
  } finally {
    await cognito.stop();
  }
}

/** Whoever serves the pool now decides the way: the studio, a studio still starting, or nobody. */
async function createUser(email: string, password: string, admin: boolean): Promise<Outcome> {
  const deadline = Date.now() + PATIENCE_MS;
  const notice = noticeOnce();
  for (;;) {
    const owner = readPoolOwner(poolDir);
    if (owner?.holder === 'stack' && owner.endpoint && owner.userPoolId) {
      const { endpoint, userPoolId } = owner;
      if (
        await createThroughStudio(
          { ...owner, endpoint, userPoolId },
          email,
          password,
          deadline,
          admin,
        )
      )
        return { through: 'studio', owner };
      continue; // the studio stopped meanwhile
    }
    if (!owner) {
      try {
        await createInOwnPool(email, password, admin);
        return { through: 'own pool' };
      } catch (error) {
        if (!(error instanceof PoolInUseError)) throw error;
        continue; // a studio started meanwhile
      }
    }
    // A studio still starting, or another `local:user` finishing: wait for its endpoint or its end.
    if (Date.now() > deadline) throw new PoolInUseError(poolDir, owner);
    const who =
      owner.holder === 'stack' ? 'the studio, still starting' : 'another `npm run local:user`';
    notice(`The user pool is in use by process ${owner.pid} (${who}); waiting for it…`);
    await sleep(250);
  }
}

const freePort = () =>
  new Promise<number>((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });

const args = process.argv.slice(2);
const admin = args.includes('--admin');
const parsed = argsSchema.safeParse(args.filter((arg) => arg !== '--admin'));
if (!parsed.success) {
  console.error(
    `Usage: npm run local:user -- <email> <password> [--admin] (${parsed.error.issues.map((issue) => issue.message).join('; ')})`,
  );
  process.exit(2);
}
const [email, password] = parsed.data;
try {
  const outcome = await createUser(email, password, admin);
  console.log(
    outcome.through === 'studio'
      ? `Created ${email} through the running studio at ${outcome.owner.endpoint} (process ${outcome.owner.pid}); sign in there with that password.`
      : `Created ${email} in the local user pool at ${poolDir} (the studio is not running); sign in once \`npm start\` runs.`,
  );
  if (admin)
    console.log(`${email} is in the admins group: the studio shows it the Operations view.`);
} catch (error) {
  console.error(`local:user: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
