// `npm run local:user -- <email> <password>`: a confirmed user in the local pool, with or without `npm start`.
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { z } from 'zod';
import { startCognitoLocal } from './cognito/cognito-local';
import { PROJECT_ROOT } from './stack';

const dataDir = join(PROJECT_ROOT, '.local');
const argsSchema = z.tuple([
  z.email({ error: 'the first argument must be an email address' }),
  z.string().min(8, { error: 'the password must have at least 8 characters' }),
]);

/** Creates (or resets) a confirmed user with a verified email in the running pool's endpoint. */
async function createUserAt(endpoint: string, userPoolId: string, email: string, password: string) {
  const client = new CognitoIdentityProviderClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: userPoolId,
        Username: email,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: password,
        UserAttributes: [
          { Name: 'email', Value: email },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof UsernameExistsException)) throw error;
  }
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: userPoolId,
      Username: email,
      Password: password,
      Permanent: true,
    }),
  );
  client.destroy();
}

/** The running stack's pool, if `npm start` runs and answers. */
async function findRunningPool(): Promise<{ endpoint: string; userPoolId: string } | undefined> {
  const file = join(dataDir, 'amplify_outputs.json');
  if (!existsSync(file)) return undefined;
  const outputs = JSON.parse(readFileSync(file, 'utf8')) as {
    auth?: { user_pool_id?: string };
    custom?: { local_endpoints?: { cognito?: string } };
  };
  const endpoint = outputs.custom?.local_endpoints?.cognito;
  const userPoolId = outputs.auth?.user_pool_id;
  if (!endpoint || !userPoolId) return undefined;
  const answers = await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) }).then(
    () => true,
    () => false,
  );
  return answers ? { endpoint, userPoolId } : undefined;
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

const parsed = argsSchema.safeParse(process.argv.slice(2));
if (!parsed.success) {
  console.error(
    `Usage: npm run local:user -- <email> <password> (${parsed.error.issues.map((issue) => issue.message).join('; ')})`,
  );
  process.exit(2);
}
const [email, password] = parsed.data;
const running = await findRunningPool();
if (running) {
  await createUserAt(running.endpoint, running.userPoolId, email, password);
} else {
  // Not running: start the pool's own cognito-local on its on-disk data just long enough.
  const cognito = await startCognitoLocal({
    dataDir: join(dataDir, 'cognito'),
    port: await freePort(),
    internalPort: await freePort(),
    log: () => {},
  });
  try {
    await cognito.createUser(email, password);
  } finally {
    await cognito.stop();
  }
}
console.log(`Created ${email} in the local user pool; sign in at the studio with that password.`);
