import { Authenticator } from '@aws-amplify/ui-react';
import '@aws-amplify/ui-react/styles.css';
import { signIn, signUp, type SignInInput, type SignUpInput } from 'aws-amplify/auth';
import type { AuthFlow } from '../../../lib/configure-amplify';

/** Amplify's sign in / sign up / confirm screens (loaded lazily with their styles: only signed-out users need them). */
export default function SignInScreen({ authFlow }: { authFlow: AuthFlow }) {
  const services = {
    handleSignIn: ((input: SignInInput) =>
      signIn({ ...input, options: { ...input.options, authFlowType: authFlow } })) as typeof signIn,
    // After the code is confirmed, Amplify signs in by itself; it must use the same flow.
    handleSignUp: ((input: SignUpInput) =>
      signUp({
        ...input,
        options: {
          ...input.options,
          userAttributes: input.options?.userAttributes ?? {},
          autoSignIn: { authFlowType: authFlow },
        },
      })) as typeof signUp,
  };
  return (
    <div className="sign-in">
      <div className="sign-in__intro">
        <span className="brand__mark" aria-hidden="true" />
        <h1>Render Studio</h1>
        <p>
          Turn React compositions into finished videos. Sign in or create an account to start
          rendering.
        </p>
      </div>
      <Authenticator loginMechanisms={['email']} services={services} />
    </div>
  );
}
