/**
 * The Cognito Identity Provider operations the local endpoint serves, registered by name in
 * OPERATIONS: a new operation is a handler (here, or in its own module: sign-in in
 * auth-flows.ts, a user's own account in account.ts) plus one line there. The user and
 * group administration handlers live here.
 */
import { randomBytes } from 'node:crypto';
import { stringMember } from '../protocol';
import {
  adminUserGlobalSignOut,
  changePassword,
  confirmForgotPassword,
  confirmSignUp,
  forgotPassword,
  getUserAttributeVerificationCode,
  globalSignOut,
  resendConfirmationCode,
  revokeToken,
  signUp,
  updateUserAttributes,
  verifyUserAttribute,
} from './account';
import { adminInitiateAuth, getTokensFromRefreshToken, initiateAuth, respondToAuthChallenge } from './auth-flows';
import { setPassword } from './credentials';
import { CognitoError } from './errors';
import type { CognitoOperation, User } from './model';
import { checkPasswordPolicy } from './password';
import { API_SCOPE } from './tokens';

export type { CognitoOperation };

type Attr = { Name: string; Value: string };

const adminConfirmSignUp: CognitoOperation = (c, b) => {
  const pool = c.poolFor(b.UserPoolId);
  const u = c.mustUser(c.poolState(pool.id), String(b.Username));
  u.status = 'CONFIRMED';
  if (pool.autoVerifyEmail && u.attributes.email) u.attributes.email_verified = 'true';
  c.save();
  return {};
};

const adminCreateUser: CognitoOperation = (c, b) => {
  const pool = c.poolFor(b.UserPoolId);
  const temp = typeof b.TemporaryPassword === 'string' ? b.TemporaryPassword : `Tmp${randomBytes(6).toString('hex')}1a`;
  const username = stringMember(b, 'Username');
  const u = c.createUser(pool, username, (b.UserAttributes as Attr[]) ?? [], 'FORCE_CHANGE_PASSWORD');
  setPassword(pool, u, temp);
  c.save();
  if (b.MessageAction !== 'SUPPRESS')
    c.mail(u.attributes.email ?? u.username, `Your username is ${username} and temporary password is ${temp}`);
  return { User: c.userType(u) };
};

const adminSetUserPassword: CognitoOperation = (c, b) => {
  const pool = c.poolFor(b.UserPoolId);
  const u = c.mustUser(c.poolState(pool.id), String(b.Username));
  const err = checkPasswordPolicy(stringMember(b, 'Password'), pool.policy);
  if (err) throw new CognitoError('InvalidPasswordException', err);
  setPassword(pool, u, String(b.Password));
  // Permanent: false leaves a temporary password, as AdminCreateUser does.
  u.status = b.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
  c.save();
  return {};
};

const createGroup: CognitoOperation = (c, b) => {
  const ps = c.poolState(c.poolFor(b.UserPoolId).id);
  const name = String(b.GroupName);
  if (ps.groups[name]) throw new CognitoError('GroupExistsException', 'A group with the name already exists.');
  ps.groups[name] = { GroupName: name, ...(b.Description ? { Description: stringMember(b, 'Description') } : {}), created: Date.now() };
  c.save();
  return { Group: { GroupName: name, UserPoolId: b.UserPoolId, Description: b.Description } };
};

const listGroups: CognitoOperation = (c, b) => {
  const ps = c.poolState(c.poolFor(b.UserPoolId).id);
  return {
    Groups: Object.values(ps.groups).map((g) => ({
      GroupName: g.GroupName,
      Description: g.Description,
      Precedence: g.Precedence,
      UserPoolId: b.UserPoolId,
      CreationDate: g.created / 1000,
    })),
  };
};

/** AdminAddUserToGroup / AdminRemoveUserFromGroup. */
const groupMembership =
  (add: boolean): CognitoOperation =>
  (c, b) => {
    const ps = c.poolState(c.poolFor(b.UserPoolId).id);
    const name = String(b.GroupName);
    if (!ps.groups[name]) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
    const u = c.mustUser(ps, String(b.Username));
    u.groups = u.groups.filter((g) => g !== name);
    if (add) u.groups.push(name);
    c.save();
    return {};
  };

const adminListGroupsForUser: CognitoOperation = (c, b) => {
  const u = c.mustUser(c.poolState(c.poolFor(b.UserPoolId).id), String(b.Username));
  return { Groups: u.groups.map((g) => ({ GroupName: g, UserPoolId: b.UserPoolId })) };
};

const adminGetUser: CognitoOperation = (c, b) => {
  const u = c.mustUser(c.poolState(c.poolFor(b.UserPoolId).id), String(b.Username));
  // AdminGetUser answers the UserType of ListUsers/AdminCreateUser, its Attributes named UserAttributes.
  const { Attributes, ...user } = c.userType(u);
  return { ...user, UserAttributes: Attributes };
};

const adminDeleteUser: CognitoOperation = (c, b) => {
  const ps = c.poolState(c.poolFor(b.UserPoolId).id);
  delete ps.users[c.mustUser(ps, String(b.Username)).username];
  c.save();
  return {};
};

/** ListUsers' Filter: `attr = "v"` or `attr ^= "v"`. */
function filterUsers(users: User[], filter: string): User[] {
  const f = /^\s*([\w:]+)\s*(=|\^=)\s*"([^"]*)"\s*$/.exec(filter);
  if (!f) return users;
  const [, attr, opr, val] = f;
  const get = (u: User) =>
    (attr === 'username'
      ? u.username
      : attr === 'sub'
        ? u.sub
        : attr === 'status'
          ? u.enabled
            ? 'Enabled'
            : 'Disabled'
          : attr === 'cognito:user_status'
            ? u.status
            : u.attributes[attr!]) ?? '';
  return users.filter((u) => (opr === '=' ? get(u) === val : get(u).startsWith(val!)));
}

const listUsers: CognitoOperation = (c, b) => {
  const users = filterUsers(Object.values(c.poolState(c.poolFor(b.UserPoolId).id).users), stringMember(b, 'Filter'));
  const start = Number(b.PaginationToken ?? 0);
  const limit = Math.min(Number(b.Limit ?? 60), 60);
  return {
    Users: users.slice(start, start + limit).map((u) => c.userType(u)),
    ...(start + limit < users.length ? { PaginationToken: String(start + limit) } : {}),
  };
};

const getUser: CognitoOperation = async (c, b) => {
  const { user } = await c.verifyAccessToken(stringMember(b, 'AccessToken'), API_SCOPE);
  return { Username: user.username, UserAttributes: c.userAttributes(user) };
};

/** Every operation by name (a new one: its handler plus one line here). */
export const OPERATIONS: Readonly<Record<string, CognitoOperation>> = {
  SignUp: signUp,
  ConfirmSignUp: confirmSignUp,
  ResendConfirmationCode: resendConfirmationCode,
  AdminConfirmSignUp: adminConfirmSignUp,
  InitiateAuth: initiateAuth,
  AdminInitiateAuth: adminInitiateAuth,
  RespondToAuthChallenge: respondToAuthChallenge,
  GetTokensFromRefreshToken: getTokensFromRefreshToken,
  ForgotPassword: forgotPassword,
  ConfirmForgotPassword: confirmForgotPassword,
  ChangePassword: changePassword,
  GlobalSignOut: globalSignOut,
  AdminUserGlobalSignOut: adminUserGlobalSignOut,
  RevokeToken: revokeToken,
  UpdateUserAttributes: updateUserAttributes,
  GetUserAttributeVerificationCode: getUserAttributeVerificationCode,
  VerifyUserAttribute: verifyUserAttribute,
  AdminCreateUser: adminCreateUser,
  AdminSetUserPassword: adminSetUserPassword,
  CreateGroup: createGroup,
  ListGroups: listGroups,
  AdminAddUserToGroup: groupMembership(true),
  AdminRemoveUserFromGroup: groupMembership(false),
  AdminListGroupsForUser: adminListGroupsForUser,
  AdminGetUser: adminGetUser,
  AdminDeleteUser: adminDeleteUser,
  ListUsers: listUsers,
  GetUser: getUser,
};
