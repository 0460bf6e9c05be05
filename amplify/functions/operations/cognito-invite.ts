import {
  AdminCreateUserCommand,
  UsernameExistsException,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { OperationsError } from './operations';

/** Invites through Cognito's AdminCreateUser: the pre-sign-up trigger lets invitations through, whatever the list. */
export const createCognitoInvite =
  (cognito: CognitoIdentityProviderClient, userPoolId: string) =>
  async (email: string): Promise<void> => {
    try {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: email,
          UserAttributes: [
            { Name: 'email', Value: email },
            { Name: 'email_verified', Value: 'true' },
          ],
          DesiredDeliveryMediums: ['EMAIL'],
        }),
      );
    } catch (error) {
      if (error instanceof UsernameExistsException)
        throw new OperationsError(
          `${email} has an account already: they can sign in (or use "Forgot password").`,
        );
      throw error;
    }
  };
