import { AwsError } from '../protocol';

/** An error in the Cognito Identity Provider API's shape (`{"__type", "message"}` with a status); `type` is its code. */
export class CognitoError extends AwsError {
  constructor(
    readonly type: string,
    message: string,
    status = 400,
  ) {
    super(type, message, status);
  }
}

/** The messages Cognito uses, word for word, so clients that match on them behave alike. */
export const MESSAGES = {
  badCredentials: 'Incorrect username or password.',
  userNotFound: 'User does not exist.',
  notConfirmed: 'User is not confirmed.',
  disabled: 'User is disabled.',
  codeMismatch: 'Invalid verification code provided, please try again.',
  codeExpired: 'Invalid code provided, please request a code again.',
  attemptLimit: 'Attempt limit exceeded, please try after some time.',
  invalidAccessToken: 'Invalid Access Token',
  revokedAccessToken: 'Access Token has been revoked',
  invalidRefreshToken: 'Invalid Refresh Token',
} as const;
