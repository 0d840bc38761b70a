/**
 * A local endpoint speaking the Cognito Identity Provider JSON protocol for what the app
 * and its users need, with pools, clients and groups from the template, users persisted
 * under the state dir and RS256 tokens with Cognito's claims (verified by aws-jwt-verify).
 * The same port serves the pool domain's hosted UI and OAuth2 endpoints (hosted-ui/).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { resourcesOfType, type ResolvedTemplate } from '../template';
import { checkPasswordPolicy, type PasswordPolicy } from './password';
import { closeServer, listenLoopback } from '../ports';
import { AccountOperations } from './account';
import { AuthFlows } from './auth-flows';
import { setPassword } from './credentials';
import { CognitoError } from './errors';
import { HostedUi } from './hosted-ui';
import { poolsFromTemplate } from './pools';
import type { AuthenticationResult, ClientDef, CognitoCore, PoolDef, PoolState, Rec, SignInSession, User } from './model';
import { API_SCOPE, issueRefreshToken, mintTokens, verifyAccessToken, type SigningKey } from './tokens';

export { checkPasswordPolicy, CognitoError, type PasswordPolicy };

export interface CognitoOptions {
  template: ResolvedTemplate;
  stateDir: string;
  region: string;
  baseUrl: string;
  log: (source: string, m: string) => void;
}

interface State {
  pools: Record<string, PoolState>;
}

export class CognitoServer implements CognitoCore {
  readonly pools: Record<string, PoolDef>;
  readonly baseUrl: string;
  private state: State;
  private key?: SigningKey;
  private server?: Server;
  private flows = new AuthFlows(this);
  private account = new AccountOperations(this, (pool, username, attrs, status) => this.createUser(pool, username, attrs, status));
  private hostedUi = new HostedUi(this, this.flows);

  constructor(private o: CognitoOptions) {
    this.baseUrl = o.baseUrl;
    mkdirSync(o.stateDir, { recursive: true });
    const t = o.template;
    this.pools = poolsFromTemplate(t);
    this.state = this.load();
    for (const [lid, r] of resourcesOfType(t, 'AWS::Cognito::UserPoolGroup')) {
      const p = r.Properties as Rec;
      const ps = this.poolState(String(p.UserPoolId));
      const name = String(p.GroupName ?? lid);
      ps.groups[name] ??= { GroupName: name, ...(p.Description ? { Description: String(p.Description) } : {}), ...(p.Precedence !== undefined ? { Precedence: Number(p.Precedence) } : {}), created: Date.now() };
    }
    this.save();
  }

  private get file(): string {
    return join(this.o.stateDir, 'users.json');
  }

  private load(): State {
    return existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as State) : { pools: {} };
  }

  save(): void {
    // Write-then-rename so a crash never leaves a half-written user store.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state, null, 1));
    renameSync(`${this.file}.tmp`, this.file);
  }

  poolState(poolId: string): PoolState {
    if (!this.pools[poolId]) throw new CognitoError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    return (this.state.pools[poolId] ??= { users: {}, groups: {}, refreshTokens: {} });
  }

  private async signingKey(): Promise<SigningKey> {
    if (this.key) return this.key;
    const file = join(this.o.stateDir, 'signing-key.json');
    if (existsSync(file)) {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as { kid: string; private: JWK; public: JWK };
      this.key = { kid: saved.kid, privateKey: await importJWK(saved.private, 'RS256'), jwk: saved.public };
    } else {
      // A key per state dir (random kid): tokens from another install never verify here.
      const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
      const kid = randomBytes(16).toString('base64url');
      const pub = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
      writeFileSync(file, JSON.stringify({ kid, private: await exportJWK(privateKey), public: pub }), { mode: 0o600 });
      this.key = { kid, privateKey, jwk: pub };
    }
    return this.key;
  }

  issuer(poolId: string): string {
    return `${this.baseUrl}/${poolId}`;
  }

  findUser(ps: PoolState, name: string): User | undefined {
    const lower = name.toLowerCase();
    return ps.users[name] ?? Object.values(ps.users).find((u) => u.sub === name || u.attributes.email?.toLowerCase() === lower);
  }

  mustUser(ps: PoolState, name: string): User {
    const u = this.findUser(ps, String(name ?? ''));
    if (!u) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return u;
  }

  poolOfClient(clientId: string): { pool: PoolDef; client: ClientDef } {
    for (const pool of Object.values(this.pools)) if (pool.clients[clientId]) return { pool, client: pool.clients[clientId]! };
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }

  userAttributes(u: User): { Name: string; Value: string }[] {
    return [{ Name: 'sub', Value: u.sub }, ...Object.entries(u.attributes).filter(([k]) => k !== 'sub').map(([Name, Value]) => ({ Name, Value }))];
  }

  private userType(u: User): Rec {
    return { Username: u.username, Attributes: this.userAttributes(u), UserCreateDate: u.created / 1000, UserLastModifiedDate: u.modified / 1000, Enabled: u.enabled, UserStatus: u.status };
  }

  mail(to: string, text: string): void {
    this.o.log('cognito', `mail to ${to}: ${text}`);
    appendFileSync(join(this.o.stateDir, 'messages.log'), `${new Date().toISOString()} to=${to} ${text}\n`);
  }

  log(message: string): void {
    this.o.log('cognito', message);
  }

  private createUser(pool: PoolDef, username: string, attrs: { Name: string; Value: string }[] = [], status: User['status']): User {
    const ps = this.poolState(pool.id);
    const attributes = Object.fromEntries(attrs.map((a) => [a.Name, a.Value]));
    if (pool.emailAsUsername) {
      if (!/^[^@\s]+@[^@\s]+$/.test(username)) throw new CognitoError('InvalidParameterException', 'Username should be an email.');
      attributes.email = username.toLowerCase();
    }
    if (this.findUser(ps, username) || (attributes.email && this.findUser(ps, attributes.email))) {
      throw new CognitoError('UsernameExistsException', 'An account with the given email already exists.');
    }
    const sub = randomUUID();
    // With email as username, Cognito's internal username is the sub.
    const u: User = { sub, username: pool.emailAsUsername ? sub : username, attributes, status, enabled: true, groups: [], created: Date.now(), modified: Date.now() };
    ps.users[u.username] = u;
    return u;
  }

  async tokens(pool: PoolDef, clientId: string, user: User, session: SignInSession, withRefresh: boolean): Promise<AuthenticationResult> {
    const result = await mintTokens({ key: await this.signingKey(), issuer: this.issuer(pool.id), pool, clientId, user, session });
    if (withRefresh) {
      result.RefreshToken = issueRefreshToken(this.poolState(pool.id), pool, clientId, user, session);
      this.save();
    }
    return result;
  }

  async verifyAccessToken(token: string, requiredScope?: string): Promise<{ pool: PoolDef; user: User; claims: Rec }> {
    const check = { key: await this.signingKey(), pools: Object.values(this.pools), issuer: (id: string) => this.issuer(id), poolState: (id: string) => this.poolState(id), findUser: (ps: PoolState, n: string) => this.findUser(ps, n) };
    return verifyAccessToken(check, token, requiredScope);
  }

  /** One operation of the API; exported for the CLI's create-user. */
  async call(op: string, b: Rec): Promise<Rec> {
    const poolFor = (id: unknown): PoolDef => {
      const p = this.pools[String(id)];
      if (!p) throw new CognitoError('ResourceNotFoundException', `User pool ${String(id)} does not exist.`);
      return p;
    };
    switch (op) {
      // Sign-in and account operations live in their own modules (auth-flows.ts, account.ts).
      case 'SignUp': return this.account.signUp(b);
      case 'ConfirmSignUp': return this.account.confirmSignUp(b);
      case 'ResendConfirmationCode': return this.account.resendConfirmationCode(b);
      case 'InitiateAuth': return this.flows.initiateAuth(b);
      case 'AdminInitiateAuth': return this.flows.adminInitiateAuth(b);
      case 'RespondToAuthChallenge': return this.flows.respondToAuthChallenge(b);
      case 'GetTokensFromRefreshToken': return this.flows.getTokensFromRefreshToken(b);
      case 'ForgotPassword': return this.account.forgotPassword(b);
      case 'ConfirmForgotPassword': return this.account.confirmForgotPassword(b);
      case 'ChangePassword': return this.account.changePassword(b);
      case 'GlobalSignOut': return this.account.globalSignOut(b);
      case 'AdminUserGlobalSignOut': return this.account.adminUserGlobalSignOut(b);
      case 'RevokeToken': return this.account.revokeToken(b);
      case 'UpdateUserAttributes': return this.account.updateUserAttributes(b);
      case 'GetUserAttributeVerificationCode': return this.account.getUserAttributeVerificationCode(b);
      case 'VerifyUserAttribute': return this.account.verifyUserAttribute(b);
      case 'AdminConfirmSignUp': {
        const pool = poolFor(b.UserPoolId);
        const u = this.mustUser(this.poolState(pool.id), String(b.Username));
        u.status = 'CONFIRMED';
        if (pool.autoVerifyEmail && u.attributes.email) u.attributes.email_verified = 'true';
        this.save();
        return {};
      }
      case 'AdminCreateUser': {
        const pool = poolFor(b.UserPoolId);
        const attrs = (b.UserAttributes as { Name: string; Value: string }[]) ?? [];
        const temp = typeof b.TemporaryPassword === 'string' ? b.TemporaryPassword : `Tmp${randomBytes(6).toString('hex')}1a`;
        const u = this.createUser(pool, String(b.Username ?? ''), attrs, 'FORCE_CHANGE_PASSWORD');
        setPassword(pool, u, temp);
        this.save();
        if (b.MessageAction !== 'SUPPRESS') this.mail(u.attributes.email ?? u.username, `Your username is ${b.Username} and temporary password is ${temp}`);
        return { User: this.userType(u) };
      }
      case 'AdminSetUserPassword': {
        const pool = poolFor(b.UserPoolId);
        const u = this.mustUser(this.poolState(pool.id), String(b.Username));
        const err = checkPasswordPolicy(String(b.Password ?? ''), pool.policy);
        if (err) throw new CognitoError('InvalidPasswordException', err);
        setPassword(pool, u, String(b.Password));
        // Permanent: false leaves a temporary password, as AdminCreateUser does.
        u.status = b.Permanent === true ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
        this.save();
        return {};
      }
      case 'CreateGroup': {
        const ps = this.poolState(poolFor(b.UserPoolId).id);
        const name = String(b.GroupName);
        if (ps.groups[name]) throw new CognitoError('GroupExistsException', 'A group with the name already exists.');
        ps.groups[name] = { GroupName: name, ...(b.Description ? { Description: String(b.Description) } : {}), created: Date.now() };
        this.save();
        return { Group: { GroupName: name, UserPoolId: b.UserPoolId, Description: b.Description } };
      }
      case 'ListGroups': {
        const ps = this.poolState(poolFor(b.UserPoolId).id);
        return { Groups: Object.values(ps.groups).map((g) => ({ GroupName: g.GroupName, Description: g.Description, Precedence: g.Precedence, UserPoolId: b.UserPoolId, CreationDate: g.created / 1000 })) };
      }
      case 'AdminAddUserToGroup':
      case 'AdminRemoveUserFromGroup': {
        const ps = this.poolState(poolFor(b.UserPoolId).id);
        const name = String(b.GroupName);
        if (!ps.groups[name]) throw new CognitoError('ResourceNotFoundException', 'Group not found.');
        const u = this.mustUser(ps, String(b.Username));
        u.groups = u.groups.filter((g) => g !== name);
        if (op === 'AdminAddUserToGroup') u.groups.push(name);
        this.save();
        return {};
      }
      case 'AdminListGroupsForUser': {
        const ps = this.poolState(poolFor(b.UserPoolId).id);
        const u = this.mustUser(ps, String(b.Username));
        return { Groups: u.groups.map((g) => ({ GroupName: g, UserPoolId: b.UserPoolId })) };
      }
      case 'AdminGetUser': {
        const u = this.mustUser(this.poolState(poolFor(b.UserPoolId).id), String(b.Username));
        return { Username: u.username, UserAttributes: this.userAttributes(u), UserCreateDate: u.created / 1000, UserLastModifiedDate: u.modified / 1000, Enabled: u.enabled, UserStatus: u.status };
      }
      case 'AdminDeleteUser': {
        const ps = this.poolState(poolFor(b.UserPoolId).id);
        const u = this.mustUser(ps, String(b.Username));
        delete ps.users[u.username];
        this.save();
        return {};
      }
      case 'ListUsers': {
        const ps = this.poolState(poolFor(b.UserPoolId).id);
        let users = Object.values(ps.users);
        const f = /^\s*([\w:]+)\s*(=|\^=)\s*"([^"]*)"\s*$/.exec(String(b.Filter ?? ''));
        if (f) {
          const [, attr, opr, val] = f;
          const get = (u: User) => (attr === 'username' ? u.username : attr === 'sub' ? u.sub : attr === 'status' ? (u.enabled ? 'Enabled' : 'Disabled') : attr === 'cognito:user_status' ? u.status : u.attributes[attr!]) ?? '';
          users = users.filter((u) => (opr === '=' ? get(u) === val : get(u).startsWith(val!)));
        }
        const start = Number(b.PaginationToken ?? 0);
        const limit = Math.min(Number(b.Limit ?? 60), 60);
        const page = users.slice(start, start + limit);
        return { Users: page.map((u) => this.userType(u)), ...(start + limit < users.length ? { PaginationToken: String(start + limit) } : {}) };
      }
      case 'GetUser': {
        const { user } = await this.verifyAccessToken(String(b.AccessToken ?? ''), API_SCOPE);
        return { Username: user.username, UserAttributes: this.userAttributes(user) };
      }
      default:
        throw new CognitoError('UnknownOperationException', `Operation ${op} is not supported by the local Cognito endpoint`);
    }
  }

  private cors(req: IncomingMessage): Record<string, string> {
    return {
      'access-control-allow-origin': String(req.headers.origin ?? '*'),
      // Whatever a browser client asks to send (Amplify adds cache-control), as Cognito allows.
      'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? 'content-type,x-amz-target,x-amz-user-agent,authorization'),
      'access-control-expose-headers': 'x-amzn-requestid,x-amzn-errortype,x-amzn-errormessage,date',
      'access-control-allow-methods': 'POST,GET,OPTIONS',
      'access-control-max-age': '600',
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const cors = this.cors(req);
    const send = (status: number, body: unknown, ct = 'application/x-amz-json-1.1') => {
      res.writeHead(status, { 'content-type': ct, 'x-amzn-requestid': randomUUID(), ...cors });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') return void (res.writeHead(204, cors), res.end());
    const path = (req.url ?? '/').split('?')[0]!;
    const wk = /^\/([^/]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec(path);
    if (req.method === 'GET' && wk) {
      const poolId = wk[1]!;
      if (!this.pools[poolId]) return send(404, { message: 'User pool not found' }, 'application/json');
      if (wk[2] === 'jwks.json') return send(200, { keys: [(await this.signingKey()).jwk] }, 'application/json');
      return send(200, this.hostedUi.discovery(poolId), 'application/json');
    }
    // The user pool domain's hosted UI and OAuth2 endpoints share this port.
    if (await this.hostedUi.handle(req, res, cors)) return;
    const target = String(req.headers['x-amz-target'] ?? '');
    if (req.method !== 'POST' || !target.startsWith('AWSCognitoIdentityProviderService.')) return send(404, { __type: 'UnknownOperationException', message: 'Not found' });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Rec;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Rec;
    } catch {
      return send(400, { __type: 'SerializationException', message: 'Malformed JSON' });
    }
    const op = target.slice('AWSCognitoIdentityProviderService.'.length);
    try {
      send(200, await this.call(op, body));
    } catch (e) {
      if (e instanceof CognitoError) return send(e.status, { __type: e.type, message: e.message });
      this.o.log('cognito', `${op} failed: ${(e as Error).stack}`);
      send(500, { __type: 'InternalErrorException', message: 'Internal error' });
    }
  }

  async listen(port: number): Promise<number> {
    await this.signingKey();
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        this.o.log('cognito', `internal error: ${e.stack ?? e.message}`);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ __type: 'InternalErrorException', message: 'Internal error' }));
        else res.end();
      });
    });
    return listenLoopback(this.server!, port);
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }
}
