import { fetchUserAttributes, getCurrentUser, signOut } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
import { useCallback, useEffect, useState } from 'react';

/** Who is signed in, as far as the studio cares. */
export type AuthSession =
  | { state: 'checking' }
  | { state: 'signed-out' }
  | { state: 'signed-in'; email: string; signOut: () => Promise<void> };

/** The current session, following sign-in and sign-out events on the Amplify Hub. */
export function useAuthSession(): AuthSession {
  const [session, setSession] = useState<AuthSession>({ state: 'checking' });
  const signOutNow = useCallback(async () => await signOut(), []);

  useEffect(() => {
    let active = true;
    const refresh = async () => {
      try {
        const user = await getCurrentUser();
        // The email is an attribute; the sign-in id is enough if attributes cannot be read.
        const email = await fetchUserAttributes()
          .then((attributes) => attributes.email)
          .catch(() => undefined);
        if (active)
          setSession({
            state: 'signed-in',
            email: email ?? user.signInDetails?.loginId ?? user.username,
            signOut: signOutNow,
          });
      } catch {
        if (active) setSession({ state: 'signed-out' });
      }
    };
    void refresh();
    const stop = Hub.listen('auth', ({ payload }) => {
      if (payload.event === 'signedIn') void refresh();
      if (payload.event === 'signedOut' || payload.event === 'tokenRefresh_failure')
        setSession({ state: 'signed-out' });
    });
    return () => {
      active = false;
      stop();
    };
  }, [signOutNow]);

  return session;
}
