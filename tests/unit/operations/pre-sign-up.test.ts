// Cognito's pre-sign-up trigger (amplify/functions/pre-sign-up): who may create an account, decided server-side
// from the deploy-time SIGN_UP_ALLOW_LIST; a refusal says why (Cognito shows "PreSignUp failed with error …").
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createPreSignUpHandler } from '../../../amplify/functions/pre-sign-up/handler';
import { parseSignUpAllowList } from '../../../amplify/functions/pre-sign-up/sign-up-allow-list';

const signUp = (
  email: string | undefined,
  triggerSource: PreSignUpTriggerEvent['triggerSource'] = 'PreSignUp_SignUp',
) => ({
  triggerSource,
  request: {
    userAttributes: (email === undefined ? {} : { email }) as Record<string, string>,
  },
  response: { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false },
});

const CLOSED = 'Sign-up is closed on this studio: ask one of its admins to invite you.';
const notAllowed = (address: string) =>
  `Sign-up is open only to addresses this studio allows, and ${address} is not one of them: ask one of its admins to invite you.`;

beforeEach(() => {
  // The refusal's WARN line goes to stderr; keep it out of the test output.
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

describe('the pre-sign-up trigger', () => {
  it('lets an address of an allowed domain sign up, and passes the event back unchanged', async () => {
    const handler = createPreSignUpHandler('example.com');
    const event = signUp('ann@example.com');

    expect(await handler(event)).toBe(event);
  });

  it('lets a single allowed address sign up, but not its neighbours on the same domain', async () => {
    const handler = createPreSignUpHandler('alice@other.org');

    await expect(handler(signUp('alice@other.org'))).resolves.toBeDefined();
    await expect(handler(signUp('bob@other.org'))).rejects.toThrow(notAllowed('bob@other.org'));
  });

  it('refuses an address outside the list, saying why and what to do', async () => {
    const handler = createPreSignUpHandler('example.com, alice@other.org');

    await expect(handler(signUp('mallory@evil.test'))).rejects.toThrow(
      notAllowed('mallory@evil.test'),
    );
    // A subdomain is another domain; a look-alike suffix is too.
    await expect(handler(signUp('x@mail.example.com'))).rejects.toThrow(
      notAllowed('x@mail.example.com'),
    );
    await expect(handler(signUp('x@notexample.com'))).rejects.toThrow(
      notAllowed('x@notexample.com'),
    );
    await expect(handler(signUp(undefined))).rejects.toThrow(notAllowed('this address'));
  });

  it('is closed with an empty list (the cloud default), and says so', async () => {
    for (const list of ['', '  ', ' , ', undefined]) {
      await expect(createPreSignUpHandler(list)(signUp('ann@example.com'))).rejects.toThrow(CLOSED);
    }
  });

  it('lets an admin’s invitation through whatever the list says', async () => {
    const event = signUp('guest@elsewhere.test', 'PreSignUp_AdminCreateUser');

    expect(await createPreSignUpHandler('')(event)).toBe(event);
  });

  it('ignores case and whitespace in the list and in the address', async () => {
    const handler = createPreSignUpHandler('  Example.COM ,@Team.Example.org,  Alice@Other.ORG ');

    for (const email of [
      'Ann@EXAMPLE.com',
      '  bob@example.com ',
      'c@team.example.org',
      'ALICE@other.org',
    ])
      await expect(handler(signUp(email))).resolves.toBeDefined();
  });

  it('refuses a list entry that is neither an address nor a domain, naming it', () => {
    expect(() => parseSignUpAllowList('example.com, not a domain')).toThrow(
      'SIGN_UP_ALLOW_LIST must list email addresses or domains separated by commas (such as "example.com,alice@other.org"), but got "not a domain"',
    );
  });

  it('logs a refusal with the domain only, never the whole address', async () => {
    const written: string[] = [];
    vi.mocked(process.stderr.write).mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    await expect(
      createPreSignUpHandler('example.com')(signUp('mallory@evil.test')),
    ).rejects.toThrow();

    const lines = written
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'sign-up refused', domain: 'evil.test' }),
    );
    expect(written.join('')).not.toContain('mallory');
  });
});
