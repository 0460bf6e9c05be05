import { defineAuth } from '@aws-amplify/backend';
import { ADMINS_GROUP } from '../../contract/admins';
import { preSignUp } from '../functions/pre-sign-up/resource';

/** The Cognito user pool: people sign in with their email address; admins form a group; sign-up is allow-listed. */
export const auth = defineAuth({
  loginWith: { email: true },
  groups: [ADMINS_GROUP],
  triggers: { preSignUp },
});
