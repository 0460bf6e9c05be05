import { fetchAuthSession } from 'aws-amplify/auth';

/** The owner value Amplify's owner rule stores: `sub::username` of the signed-in user. */
export async function readOwner(): Promise<string> {
  const payload = (await fetchAuthSession()).tokens?.accessToken.payload;
  if (!payload?.sub || typeof payload.username !== 'string')
    throw new Error('Sign in to see your jobs.');
  return `${payload.sub}::${payload.username}`;
}
