import { defineAuth } from '@aws-amplify/backend';

/** The Cognito user pool: people sign in with their email address. */
export const auth = defineAuth({
  loginWith: { email: true },
});
