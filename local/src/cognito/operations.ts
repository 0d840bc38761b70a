/**
 * The Cognito Identity Provider operations the local endpoint serves, one handler each,
 * registered by name in OPERATIONS (a new operation is a handler plus one line there).
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { CognitoServer } from '.';
import { checkPassword, CognitoError, hashPassword, type PoolState, type Rec, type User } from './model';
import { checkPasswordPolicy } from './password';

export type CognitoOperation = (c: CognitoServer, b: Rec) => Rec | Promise<Rec>;

type Attr = { Name: string; Value: string };

const signUp: CognitoOperation = (c, b) => {
  const { pool } = c.poolOfClient(String(b.ClientId));
  const pw = String(b.Password ?? '');
  const err = checkPasswordPolicy(pw, pool.policy);
  if (err) throw new CognitoError('InvalidPasswordException', err);
  const u = c.createUser(pool, String(b.Username ?? ''), (b.UserAttributes as Attr[]) ?? [], 'UNCONFIRMED');
  u.passwordHash = hashPassword(pw);
  u.code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  c.save();
  c.mail(u.attributes.email ?? u.username, `Your confirmation code is ${u.code}`);
  return { UserConfirmed: false, UserSub: u.sub, CodeDeliveryDetails: { Destination: u.attributes.email ?? '', DeliveryMedium: 'EMAIL', AttributeName: 'email' } };
};

const confirmSignUp: CognitoOperation = (c, b) => {
  const { pool } = c.poolOfClient(String(b.ClientId));
  const u = c.mustUser(c.poolState(pool.id), String(b.Username));
  if (u.status === 'CONFIRMED') throw new CognitoError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
  if (!u.code || u.code !== String(b.ConfirmationCode)) throw new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
  u.status = 'CONFIRMED';
  delete u.code;
  if (pool.autoVerifyEmail && u.attributes.email) u.attributes.email_verified = 'true';
  u.modified = Date.now();
  c.save();
  return {};
};

const adminConfirmSignUp: CognitoOperation = (c, b) => {
  const pool = c.poolFor(b.UserPoolId);
  const u = c.mustUser(c.poolState(pool.id), String(b.Username));
  u.status = 'CONFIRMED';
  if (pool.autoVerifyEmail && u.attributes.email) u.attributes.email_verified = 'true';
  c.save();
  return {};
};

const passwordAuth = async (c: CognitoServer, b: Rec, ps: PoolState, p: Record<string, string>): Promise<Rec> => {
  const { pool } = c.poolOfClient(String(b.ClientId));
  const u = c.findUser(ps, p.USERNAME ?? '');
  if (!u || !checkPassword(p.PASSWORD ?? '', u.passwordHash) || !u.enabled) throw new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
  if (u.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
  if (u.status === 'FORCE_CHANGE_PASSWORD') return { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: randomUUID(), ChallengeParameters: { USER_ID_FOR_SRP: u.username } };
  return { AuthenticationResult: await c.tokens(pool, String(b.ClientId), u, Math.floor(Date.now() / 1000), randomUUID(), true), ChallengeParameters: {} };
};

const refreshAuth = async (c: CognitoServer, b: Rec, ps: PoolState, p: Record<string, string>): Promise<Rec> => {
  const { pool } = c.poolOfClient(String(b.ClientId));
  const rt = ps.refreshTokens[p.REFRESH_TOKEN ?? ''];
  if (!rt || rt.expires < Date.now() || rt.clientId !== b.ClientId) throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
  const u = c.mustUser(ps, rt.username);
  if (!u.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
  return { AuthenticationResult: await c.tokens(pool, String(b.ClientId), u, rt.authTime, rt.originJti, false), ChallengeParameters: {} };
};

/** InitiateAuth's flows by name (a new flow is one line here). */
export const AUTH_FLOWS: Record<string, (c: CognitoServer, b: Rec, ps: PoolState, p: Record<string, string>) => Promise<Rec>> = {
  USER_PASSWORD_AUTH: passwordAuth,
  REFRESH_TOKEN_AUTH: refreshAuth,
  REFRESH_TOKEN: refreshAuth,
};

const initiateAuth: CognitoOperation = (c, b) => {
  const { pool, client } = c.poolOfClient(String(b.ClientId));
  const flow = String(b.AuthFlow);
  const run = Object.hasOwn(AUTH_FLOWS, flow) ? AUTH_FLOWS[flow] : undefined;
  if (!run) throw new CognitoError('InvalidParameterException', `AuthFlow ${flow} is not supported locally (${Object.keys(AUTH_FLOWS).join(', ')} are)`);
  const allowed = client.flows.length === 0 || client.flows.includes(flow) || client.flows.includes(`ALLOW_${flow}`);
  if (flow === 'USER_PASSWORD_AUTH' && !allowed) throw new CognitoError('InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client');
  return run(c, b, c.poolState(pool.id), (b.AuthParameters ?? {}) as Record<string, string>);
};

const adminCreateUser: CognitoOperation = (c, b) => {
  const pool = c.poolFor(b.UserPoolId);
  const temp = typeof b.TemporaryPassword === 'string' ? b.TemporaryPassword : `Tmp${randomBytes(6).toString('hex')}1a`;
  const u = c.createUser(pool, String(b.Username ?? ''), (b.UserAttributes as Attr[]) ?? [], 'FORCE_CHANGE_PASSWORD');
  u.passwordHash = hashPassword(temp);
  c.save();
  if (b.MessageAction !== 'SUPPRESS') c.mail(u.attributes.email ?? u.username, `Your username is ${b.Username} and temporary password is ${temp}`);
  return { User: c.userType(u) };
};

const adminSetUserPassword: CognitoOperation = (c, b) => {
  const pool = c.poolFor(b.UserPoolId);
  const u = c.mustUser(c.poolState(pool.id), String(b.Username));
  const err = checkPasswordPolicy(String(b.Password ?? ''), pool.policy);
  if (err) throw new CognitoError('InvalidPasswordException', err);
  u.passwordHash = hashPassword(String(b.Password));
  if (b.Permanent === true) u.status = 'CONFIRMED';
  u.modified = Date.now();
  c.save();
  return {};
};

const createGroup: CognitoOperation = (c, b) => {
  const ps = c.poolState(c.poolFor(b.UserPoolId).id);
  const name = String(b.GroupName);
  if (ps.groups[name]) throw new CognitoError('GroupExistsException', 'A group with the name already exists.');
  ps.groups[name] = { GroupName: name, ...(b.Description ? { Description: String(b.Description) } : {}), created: Date.now() };
  c.save();
  return { Group: { GroupName: name, UserPoolId: b.UserPoolId, Description: b.Description } };
};

const listGroups: CognitoOperation = (c, b) => {
  const ps = c.poolState(c.poolFor(b.UserPoolId).id);
  return { Groups: Object.values(ps.groups).map((g) => ({ GroupName: g.GroupName, Description: g.Description, Precedence: g.Precedence, UserPoolId: b.UserPoolId, CreationDate: g.created / 1000 })) };
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
  return { Username: u.username, UserAttributes: c.userAttributes(u), UserCreateDate: u.created / 1000, UserLastModifiedDate: u.modified / 1000, Enabled: u.enabled, UserStatus: u.status };
};

const adminDeleteUser: CognitoOperation = (c, b) => {
  const ps = c.poolState(c.poolFor(b.UserPoolId).id);
  delete ps.users[c.mustUser(ps, String(b.Username)).username];
  c.save();
  return {};
};

/** ListUsers' Filter: `attr = "v"` or `attr ^= "v"`. */
function filterUsers(users: User[], filter: unknown): User[] {
  const f = /^\s*([\w:]+)\s*(=|\^=)\s*"([^"]*)"\s*$/.exec(String(filter ?? ''));
  if (!f) return users;
  const [, attr, opr, val] = f;
  const get = (u: User) => (attr === 'username' ? u.username : attr === 'sub' ? u.sub : attr === 'status' ? (u.enabled ? 'Enabled' : 'Disabled') : attr === 'cognito:user_status' ? u.status : u.attributes[attr!]) ?? '';
  return users.filter((u) => (opr === '=' ? get(u) === val : get(u).startsWith(val!)));
}

const listUsers: CognitoOperation = (c, b) => {
  const users = filterUsers(Object.values(c.poolState(c.poolFor(b.UserPoolId).id).users), b.Filter);
  const start = Number(b.PaginationToken ?? 0);
  const limit = Math.min(Number(b.Limit ?? 60), 60);
  return { Users: users.slice(start, start + limit).map((u) => c.userType(u)), ...(start + limit < users.length ? { PaginationToken: String(start + limit) } : {}) };
};

const getUser: CognitoOperation = async (c, b) => {
  const { user } = await c.verifyAccessToken(String(b.AccessToken ?? ''));
  return { Username: user.username, UserAttributes: c.userAttributes(user) };
};

/** Every operation by name (new ones: a handler above, or in its own file, plus one line here). */
export const OPERATIONS: Record<string, CognitoOperation> = {
  SignUp: signUp,
  ConfirmSignUp: confirmSignUp,
  AdminConfirmSignUp: adminConfirmSignUp,
  InitiateAuth: initiateAuth,
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
