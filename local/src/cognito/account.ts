/**
 * A user's own account operations: sign-up and its code, forgotten and changed passwords,
 * attribute updates and their verification, and signing out everywhere (GlobalSignOut,
 * AdminUserGlobalSignOut, RevokeToken), each an operation registered in OPERATIONS
 * (operations.ts). Codes go to the local mailbox (messages.log).
 */
import { asPendingCode, checkCode, CODE_LIFETIME_MS, maskEmail, newCode, passwordOk, setPassword } from './credentials';
import { stringMember } from '../protocol';
import { CognitoError, MESSAGES } from './errors';
import type { CognitoCore, CognitoOperation, PoolDef, Rec, User } from './model';
import { checkPasswordPolicy } from './password';
import { API_SCOPE, revokeSignIns, signInsOf } from './tokens';

/** Attributes every pool has (OIDC standard claims Cognito keeps). */
const STANDARD_ATTRIBUTES = new Set([
  'address',
  'birthdate',
  'email',
  'family_name',
  'gender',
  'given_name',
  'locale',
  'middle_name',
  'name',
  'nickname',
  'phone_number',
  'picture',
  'preferred_username',
  'profile',
  'updated_at',
  'website',
  'zoneinfo',
]);
const EMAIL = /^[^@\s]+@[^@\s]+$/;

type Attr = { Name: string; Value: string };

const delivery = (email: string) => ({ Destination: maskEmail(email), DeliveryMedium: 'EMAIL', AttributeName: 'email' });

export const signUp: CognitoOperation = (c, b) => {
  const { pool } = c.poolOfClient(String(b.ClientId));
  const password = stringMember(b, 'Password');
  const err = checkPasswordPolicy(password, pool.policy);
  if (err) throw new CognitoError('InvalidPasswordException', err);
  const attrs = ((b.UserAttributes as Attr[] | undefined) ?? []).filter((a) => a.Name !== 'email_verified');
  const u = c.createUser(pool, stringMember(b, 'Username'), attrs, 'UNCONFIRMED');
  setPassword(pool, u, password);
  const code = newCode(CODE_LIFETIME_MS.signUp);
  u.code = code;
  c.save();
  const to = u.attributes.email ?? u.username;
  c.mail(to, `Your confirmation code is ${code.code}`);
  return { UserConfirmed: false, UserSub: u.sub, CodeDeliveryDetails: delivery(to) };
};

export const confirmSignUp: CognitoOperation = (c, b) => {
  const { pool } = c.poolOfClient(String(b.ClientId));
  const u = c.mustUser(c.poolState(pool.id), stringMember(b, 'Username'));
  if (u.status !== 'UNCONFIRMED')
    throw new CognitoError('NotAuthorizedException', `User cannot be confirmed. Current status is ${u.status}`);
  const pending = asPendingCode(u.code);
  u.code = pending;
  try {
    checkCode(pending, stringMember(b, 'ConfirmationCode'));
  } finally {
    c.save();
  }
  u.status = 'CONFIRMED';
  delete u.code;
  if (pool.autoVerifyEmail && u.attributes.email) u.attributes.email_verified = 'true';
  u.modified = Date.now();
  c.save();
  return {};
};

export const resendConfirmationCode: CognitoOperation = (c, b) => {
  const { pool } = c.poolOfClient(String(b.ClientId));
  const u = c.mustUser(c.poolState(pool.id), stringMember(b, 'Username'));
  if (u.status !== 'UNCONFIRMED') throw new CognitoError('InvalidParameterException', 'User is already confirmed.');
  const code = newCode(CODE_LIFETIME_MS.signUp);
  u.code = code;
  c.save();
  const to = u.attributes.email ?? u.username;
  c.mail(to, `Your confirmation code is ${code.code}`);
  return { CodeDeliveryDetails: delivery(to) };
};

export const forgotPassword: CognitoOperation = (c, b) => {
  const { pool, client } = c.poolOfClient(String(b.ClientId));
  const name = stringMember(b, 'Username');
  const u = c.findUser(c.poolState(pool.id), name);
  if (!u) {
    if (!client.preventUserExistenceErrors) throw new CognitoError('UserNotFoundException', MESSAGES.userNotFound);
    // The same answer as for a real user, so the answer tells nothing.
    return { CodeDeliveryDetails: delivery(name) };
  }
  if (!u.enabled) throw new CognitoError('NotAuthorizedException', MESSAGES.disabled);
  const email = u.attributes.email;
  if (!email || u.attributes.email_verified !== 'true') {
    throw new CognitoError(
      'InvalidParameterException',
      'Cannot reset password for the user as there is no registered/verified email or phone_number',
    );
  }
  const code = newCode(CODE_LIFETIME_MS.forgotPassword);
  u.resetCode = code;
  c.save();
  c.mail(email, `Your password reset code is ${code.code}`);
  return { CodeDeliveryDetails: delivery(email) };
};

export const confirmForgotPassword: CognitoOperation = (c, b) => {
  const { pool, client } = c.poolOfClient(String(b.ClientId));
  const u = c.findUser(c.poolState(pool.id), stringMember(b, 'Username'));
  if (!u)
    throw client.preventUserExistenceErrors
      ? new CognitoError('CodeMismatchException', MESSAGES.codeMismatch)
      : new CognitoError('UserNotFoundException', MESSAGES.userNotFound);
  const password = stringMember(b, 'Password');
  const err = checkPasswordPolicy(password, pool.policy);
  if (err) throw new CognitoError('InvalidPasswordException', err);
  try {
    checkCode(u.resetCode, stringMember(b, 'ConfirmationCode'));
  } finally {
    c.save();
  }
  delete u.resetCode;
  setPassword(pool, u, password);
  if (u.status === 'RESET_REQUIRED' || u.status === 'FORCE_CHANGE_PASSWORD') u.status = 'CONFIRMED';
  c.save();
  return {};
};

export const changePassword: CognitoOperation = async (c, b) => {
  const { pool, user } = await c.verifyAccessToken(stringMember(b, 'AccessToken'), API_SCOPE);
  const proposed = stringMember(b, 'ProposedPassword');
  const err = checkPasswordPolicy(proposed, pool.policy);
  if (err) throw new CognitoError('InvalidPasswordException', err);
  if (!passwordOk(pool, user, stringMember(b, 'PreviousPassword')))
    throw new CognitoError('NotAuthorizedException', MESSAGES.badCredentials);
  setPassword(pool, user, proposed);
  c.save();
  return {};
};

export const globalSignOut: CognitoOperation = async (c, b) => {
  const { pool, user, claims } = await c.verifyAccessToken(stringMember(b, 'AccessToken'), API_SCOPE);
  const ps = c.poolState(pool.id);
  revokeSignIns(ps, pool, [...signInsOf(ps, user), String(claims.origin_jti)]);
  c.save();
  return {};
};

export const adminUserGlobalSignOut: CognitoOperation = (c, b) => {
  const pool = c.pools[String(b.UserPoolId)];
  if (!pool) throw new CognitoError('ResourceNotFoundException', `User pool ${String(b.UserPoolId)} does not exist.`);
  const ps = c.poolState(pool.id);
  revokeSignIns(ps, pool, signInsOf(ps, c.mustUser(ps, stringMember(b, 'Username'))));
  c.save();
  return {};
};

/** RevokeToken: the refresh token and every access token of its sign-in. Unknown tokens are a no-op (RFC 7009). */
export const revokeToken: CognitoOperation = (c, b) => {
  const clientId = stringMember(b, 'ClientId');
  const { pool } = c.poolOfClient(clientId);
  const token = stringMember(b, 'Token');
  if (token.split('.').length === 3) throw new CognitoError('UnsupportedTokenTypeException', 'Unsupported token type');
  const ps = c.poolState(pool.id);
  const rec = ps.refreshTokens[token];
  if (rec && rec.clientId === clientId) {
    revokeSignIns(ps, pool, [rec.originJti]);
    c.save();
  }
  return {};
};

export const updateUserAttributes: CognitoOperation = async (c, b) => {
  const { pool, user } = await c.verifyAccessToken(stringMember(b, 'AccessToken'), API_SCOPE);
  const attrs = (b.UserAttributes as Attr[] | undefined) ?? [];
  for (const a of attrs) checkWritable(c, pool, user, a);
  const deliveries: Rec[] = [];
  for (const a of attrs) {
    if (a.Name === 'email' && a.Value.toLowerCase() !== user.attributes.email) {
      user.attributes.email = a.Value.toLowerCase();
      if (pool.autoVerifyEmail) {
        user.attributes.email_verified = 'false';
        deliveries.push(sendAttributeCode(c, user, 'email'));
      }
    } else if (a.Name !== 'email') user.attributes[a.Name] = a.Value;
  }
  user.modified = Date.now();
  c.save();
  return { CodeDeliveryDetailsList: deliveries };
};

function checkWritable(c: CognitoCore, pool: PoolDef, user: User, a: Attr): void {
  if (typeof a?.Name !== 'string' || typeof a.Value !== 'string')
    throw new CognitoError('InvalidParameterException', 'UserAttributes must be a list of {Name, Value}');
  if (a.Name === 'sub') throw new CognitoError('InvalidParameterException', 'Cannot modify the non-mutable attribute sub');
  if (a.Name.endsWith('_verified')) throw new CognitoError('NotAuthorizedException', 'A client attempted to write unauthorized attribute');
  const known = STANDARD_ATTRIBUTES.has(a.Name) || (a.Name.startsWith('custom:') && pool.customAttributes.includes(a.Name));
  if (!known) throw new CognitoError('InvalidParameterException', `Attribute does not exist in the schema: ${a.Name}`);
  if (a.Name !== 'email') return;
  if (!EMAIL.test(a.Value)) throw new CognitoError('InvalidParameterException', 'Invalid email address format.');
  const other = c.findUser(c.poolState(pool.id), a.Value);
  if (other && other.username !== user.username)
    throw new CognitoError('AliasExistsException', 'An account with the given email already exists.');
}

function sendAttributeCode(c: CognitoCore, user: User, name: string): Rec {
  const code = newCode(CODE_LIFETIME_MS.attribute);
  (user.attributeCodes ??= {})[name] = code;
  const to = user.attributes.email!;
  c.mail(to, `Your verification code is ${code.code}`);
  return delivery(to);
}

export const getUserAttributeVerificationCode: CognitoOperation = async (c, b) => {
  const { user } = await c.verifyAccessToken(stringMember(b, 'AccessToken'), API_SCOPE);
  if (b.AttributeName !== 'email' || !user.attributes.email)
    throw new CognitoError('InvalidParameterException', 'Only email can be verified by the local Cognito endpoint');
  const details = sendAttributeCode(c, user, 'email');
  c.save();
  return { CodeDeliveryDetails: details };
};

export const verifyUserAttribute: CognitoOperation = async (c, b) => {
  const { user } = await c.verifyAccessToken(stringMember(b, 'AccessToken'), API_SCOPE);
  const name = stringMember(b, 'AttributeName');
  try {
    checkCode(user.attributeCodes?.[name], stringMember(b, 'Code'));
  } finally {
    c.save();
  }
  delete user.attributeCodes![name];
  user.attributes[`${name}_verified`] = 'true';
  user.modified = Date.now();
  c.save();
  return {};
};
