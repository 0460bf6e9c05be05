import { lazy, Suspense, type ReactNode } from 'react';
import { useAuthSession } from '../hooks/use-auth-session';
import type { AuthFlow } from '../../../lib/configure-amplify';

const SignInScreen = lazy(() => import('./sign-in-screen'));

/** The signed-in user as the rest of the studio sees them. */
export interface SignedInUser {
  email: string;
  signOut: () => Promise<void>;
}

interface AuthGateProps {
  authFlow: AuthFlow;
  children: (user: SignedInUser) => ReactNode;
}

/** Shows the sign-in screens until someone is signed in, then the children with that user. */
export function AuthGate({ authFlow, children }: AuthGateProps) {
  const session = useAuthSession();
  if (session.state === 'checking')
    return (
      <div className="splash" aria-busy="true">
        <span className="brand__mark" aria-hidden="true" /> Loading…
      </div>
    );
  if (session.state === 'signed-out')
    return (
      <Suspense fallback={<div className="splash">Loading sign-in…</div>}>
        <SignInScreen authFlow={authFlow} />
      </Suspense>
    );
  return <>{children({ email: session.email, signOut: session.signOut })}</>;
}
