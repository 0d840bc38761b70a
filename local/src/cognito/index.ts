/**
 * A local endpoint speaking the Cognito Identity Provider JSON protocol for what the app
 * and its users need, with pools, clients and groups from the template, users persisted
 * under the state dir and RS256 tokens with Cognito's claims (verified by aws-jwt-verify).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomInt, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { resourcesOfType, type ResolvedTemplate } from '../template';
import { checkPasswordPolicy, type PasswordPolicy } from './password';
import { closeServer, listenLoopback } from '../ports';

export { checkPasswordPolicy, type PasswordPolicy };

type Rec = Record<string, unknown>;

interface PoolDef {
  id: string;
  logicalId: string;
  policy: PasswordPolicy;
  emailAsUsername: boolean;
  autoVerifyEmail: boolean;
  clients: Record<string, { logicalId: string; flows: string[]; accessMinutes: number; idMinutes: number; refreshDays: number }>;
}

interface User {
  sub: string;
  username: string;
  attributes: Record<string, string>;
  passwordHash?: string;
  status: 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD';
  enabled: boolean;
  groups: string[];
  created: number;
  modified: number;
  code?: string;
}

interface PoolState {
  users: Record<string, User>;
  groups: Record<string, { GroupName: string; Description?: string; Precedence?: number; created: number }>;
  refreshTokens: Record<string, { username: string; clientId: string; originJti: string; authTime: number; expires: number }>;
}

interface State {
  pools: Record<string, PoolState>;
}

export class CognitoError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

function hashPassword(pw: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64')}$${scryptSync(pw, salt, 32).toString('base64')}`;
}

function checkPassword(pw: string, stored: string | undefined): boolean {
  if (!stored) return false;
  const [, salt, hash] = stored.split('$');
  const expected = Buffer.from(hash!, 'base64');
  const got = scryptSync(pw, Buffer.from(salt!, 'base64'), expected.length);
  return timingSafeEqual(expected, got);
}

export interface CognitoOptions {
  template: ResolvedTemplate;
  stateDir: string;
  region: string;
  baseUrl: string;
  log: (source: string, m: string) => void;
}

export class CognitoServer {
  readonly pools: Record<string, PoolDef> = {};
  private state: State;
  private key?: { kid: string; privateKey: CryptoKey | Uint8Array; jwk: JWK };
  private server?: Server;
  private baseUrl: string;

  constructor(private o: CognitoOptions) {
    this.baseUrl = o.baseUrl;
    mkdirSync(o.stateDir, { recursive: true });
    const t = o.template;
    for (const [lid, r] of resourcesOfType(t, 'AWS::Cognito::UserPool')) {
      const p = r.Properties as Rec;
      const pp = (((p.Policies as Rec | undefined)?.PasswordPolicy ?? {}) as Rec);
      const attrs = ((p.UsernameAttributes ?? []) as string[]).concat((p.AliasAttributes ?? []) as string[]);
      this.pools[t.refs[lid]!] = {
        id: t.refs[lid]!,
        logicalId: lid,
        policy: {
          MinimumLength: Number(pp.MinimumLength ?? 8),
          RequireUppercase: pp.RequireUppercase !== false && pp.RequireUppercase !== 'false',
          RequireLowercase: pp.RequireLowercase !== false && pp.RequireLowercase !== 'false',
          RequireNumbers: pp.RequireNumbers !== false && pp.RequireNumbers !== 'false',
          RequireSymbols: pp.RequireSymbols === true || pp.RequireSymbols === 'true',
        },
        emailAsUsername: attrs.includes('email'),
        autoVerifyEmail: ((p.AutoVerifiedAttributes ?? []) as string[]).includes('email'),
        clients: {},
      };
    }
    for (const [lid, r] of resourcesOfType(t, 'AWS::Cognito::UserPoolClient')) {
      const p = r.Properties as Rec;
      const pool = this.pools[String(p.UserPoolId)];
      if (!pool) continue;
      const v = (p.TokenValidityUnits ?? {}) as Rec;
      const minutes = (n: unknown, unit: unknown, d: number) => (n === undefined ? d : Number(n) * ({ seconds: 1 / 60, minutes: 1, hours: 60, days: 1440 }[String(unit ?? 'hours')] ?? 60));
      pool.clients[t.refs[lid]!] = {
        logicalId: lid,
        flows: ((p.ExplicitAuthFlows ?? []) as string[]).map(String),
        accessMinutes: minutes(p.AccessTokenValidity, v.AccessToken, 60),
        idMinutes: minutes(p.IdTokenValidity, v.IdToken, 60),
        refreshDays: minutes(p.RefreshTokenValidity, v.RefreshToken ?? 'days', 30 * 1440) / 1440,
      };
    }
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

  private save(): void {
    // Write-then-rename so a crash never leaves a half-written user store.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state, null, 1));
    renameSync(`${this.file}.tmp`, this.file);
  }

  private poolState(poolId: string): PoolState {
    if (!this.pools[poolId]) throw new CognitoError('ResourceNotFoundException', `User pool ${poolId} does not exist.`);
    return (this.state.pools[poolId] ??= { users: {}, groups: {}, refreshTokens: {} });
  }

  private async signingKey(): Promise<{ kid: string; privateKey: CryptoKey | Uint8Array; jwk: JWK }> {
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

  private issuer(poolId: string): string {
    return `${this.baseUrl}/${poolId}`;
  }

  private findUser(ps: PoolState, name: string): User | undefined {
    const lower = name.toLowerCase();
    return ps.users[name] ?? Object.values(ps.users).find((u) => u.sub === name || u.attributes.email?.toLowerCase() === lower);
  }

  private mustUser(ps: PoolState, name: string): User {
    const u = this.findUser(ps, String(name ?? ''));
    if (!u) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return u;
  }

  private poolOfClient(clientId: string): { pool: PoolDef; client: PoolDef['clients'][string] } {
    for (const pool of Object.values(this.pools)) if (pool.clients[clientId]) return { pool, client: pool.clients[clientId]! };
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }

  private userAttributes(u: User): { Name: string; Value: string }[] {
    return [{ Name: 'sub', Value: u.sub }, ...Object.entries(u.attributes).filter(([k]) => k !== 'sub').map(([Name, Value]) => ({ Name, Value }))];
  }

  private userType(u: User): Rec {
    return { Username: u.username, Attributes: this.userAttributes(u), UserCreateDate: u.created / 1000, UserLastModifiedDate: u.modified / 1000, Enabled: u.enabled, UserStatus: u.status };
  }

  private mail(to: string, text: string): void {
    this.o.log('cognito', `mail to ${to}: ${text}`);
    appendFileSync(join(this.o.stateDir, 'messages.log'), `${new Date().toISOString()} to=${to} ${text}\n`);
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

  private async tokens(pool: PoolDef, clientId: string, u: User, authTime: number, originJti: string, withRefresh: boolean): Promise<Rec> {
    const key = await this.signingKey();
    const client = pool.clients[clientId]!;
    const now = Math.floor(Date.now() / 1000);
    const eventId = randomUUID();
    const groups = u.groups.length ? { 'cognito:groups': [...u.groups] } : {};
    const idToken = await new SignJWT({
      ...groups,
      email_verified: u.attributes.email_verified === 'true',
      'cognito:username': u.username,
      origin_jti: originJti,
      event_id: eventId,
      token_use: 'id',
      auth_time: authTime,
      ...(u.attributes.email ? { email: u.attributes.email } : {}),
      ...Object.fromEntries(Object.entries(u.attributes).filter(([k]) => k.startsWith('custom:') || k === 'name')),
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setSubject(u.sub)
      .setIssuer(this.issuer(pool.id))
      .setAudience(clientId)
      .setIssuedAt(now)
      .setExpirationTime(now + Math.round(client.idMinutes * 60))
      .setJti(randomUUID())
      .sign(key.privateKey);
    const accessToken = await new SignJWT({
      ...groups,
      origin_jti: originJti,
      event_id: eventId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      auth_time: authTime,
      client_id: clientId,
      username: u.username,
    })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setSubject(u.sub)
      .setIssuer(this.issuer(pool.id))
      .setIssuedAt(now)
      .setExpirationTime(now + Math.round(client.accessMinutes * 60))
      .setJti(randomUUID())
      .sign(key.privateKey);
    const result: Rec = { AccessToken: accessToken, IdToken: idToken, ExpiresIn: Math.round(client.accessMinutes * 60), TokenType: 'Bearer' };
    if (withRefresh) {
      // Opaque, as Cognito's are (encrypted there): a random handle looked up here.
      const rt = randomBytes(48).toString('base64url');
      this.poolState(pool.id).refreshTokens[rt] = { username: u.username, clientId, originJti, authTime, expires: Date.now() + client.refreshDays * 86400_000 };
      this.save();
      result.RefreshToken = rt;
    }
    return result;
  }

  private async verifyAccessToken(token: string): Promise<{ pool: PoolDef; user: User }> {
    const key = await this.signingKey();
    const publicKey = await importJWK(key.jwk, 'RS256');
    for (const pool of Object.values(this.pools)) {
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: this.issuer(pool.id) });
        if (payload.token_use !== 'access') break;
        const user = this.findUser(this.poolState(pool.id), String(payload.username));
        if (user) return { pool, user };
      } catch {
        /* try the next pool */
      }
    }
    throw new CognitoError('NotAuthorizedException', 'Invalid Access Token', 400);
  }

  /** One operation of the API; exported for the CLI's create-user. */
  async call(op: string, b: Rec): Promise<Rec> {
    const poolFor = (id: unknown): PoolDef => {
      const p = this.pools[String(id)];
      if (!p) throw new CognitoError('ResourceNotFoundException', `User pool ${String(id)} does not exist.`);
      return p;
    };
    switch (op) {
      case 'SignUp': {
        const { pool } = this.poolOfClient(String(b.ClientId));
        const pw = String(b.Password ?? '');
        const err = checkPasswordPolicy(pw, pool.policy);
        if (err) throw new CognitoError('InvalidPasswordException', err);
        const u = this.createUser(pool, String(b.Username ?? ''), (b.UserAttributes as { Name: string; Value: string }[]) ?? [], 'UNCONFIRMED');
        u.passwordHash = hashPassword(pw);
        u.code = String(randomInt(0, 1_000_000)).padStart(6, '0');
        this.save();
        this.mail(u.attributes.email ?? u.username, `Your confirmation code is ${u.code}`);
        return { UserConfirmed: false, UserSub: u.sub, CodeDeliveryDetails: { Destination: u.attributes.email ?? '', DeliveryMedium: 'EMAIL', AttributeName: 'email' } };
      }
      case 'ConfirmSignUp': {
        const { pool } = this.poolOfClient(String(b.ClientId));
        const u = this.mustUser(this.poolState(pool.id), String(b.Username));
        if (u.status === 'CONFIRMED') throw new CognitoError('NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
        if (!u.code || u.code !== String(b.ConfirmationCode)) throw new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
        u.status = 'CONFIRMED';
        delete u.code;
        if (pool.autoVerifyEmail && u.attributes.email) u.attributes.email_verified = 'true';
        u.modified = Date.now();
        this.save();
        return {};
      }
      case 'AdminConfirmSignUp': {
        const pool = poolFor(b.UserPoolId);
        const u = this.mustUser(this.poolState(pool.id), String(b.Username));
        u.status = 'CONFIRMED';
        if (pool.autoVerifyEmail && u.attributes.email) u.attributes.email_verified = 'true';
        this.save();
        return {};
      }
      case 'InitiateAuth': {
        const { pool, client } = this.poolOfClient(String(b.ClientId));
        const flow = String(b.AuthFlow);
        const p = (b.AuthParameters ?? {}) as Record<string, string>;
        const allowed = (f: string) => client.flows.length === 0 || client.flows.includes(f) || client.flows.includes(`ALLOW_${f}`);
        const ps = this.poolState(pool.id);
        if (flow === 'USER_PASSWORD_AUTH') {
          if (!allowed('USER_PASSWORD_AUTH')) throw new CognitoError('InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client');
          const u = this.findUser(ps, p.USERNAME ?? '');
          if (!u || !checkPassword(p.PASSWORD ?? '', u.passwordHash) || !u.enabled) throw new CognitoError('NotAuthorizedException', 'Incorrect username or password.');
          if (u.status === 'UNCONFIRMED') throw new CognitoError('UserNotConfirmedException', 'User is not confirmed.');
          if (u.status === 'FORCE_CHANGE_PASSWORD') return { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: randomUUID(), ChallengeParameters: { USER_ID_FOR_SRP: u.username } };
          return { AuthenticationResult: await this.tokens(pool, String(b.ClientId), u, Math.floor(Date.now() / 1000), randomUUID(), true), ChallengeParameters: {} };
        }
        if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN') {
          const rt = ps.refreshTokens[p.REFRESH_TOKEN ?? ''];
          if (!rt || rt.expires < Date.now() || rt.clientId !== b.ClientId) throw new CognitoError('NotAuthorizedException', 'Invalid Refresh Token');
          const u = this.mustUser(ps, rt.username);
          if (!u.enabled) throw new CognitoError('NotAuthorizedException', 'User is disabled.');
          return { AuthenticationResult: await this.tokens(pool, String(b.ClientId), u, rt.authTime, rt.originJti, false), ChallengeParameters: {} };
        }
        throw new CognitoError('InvalidParameterException', `AuthFlow ${flow} is not supported locally (USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH are)`);
      }
      case 'AdminCreateUser': {
        const pool = poolFor(b.UserPoolId);
        const attrs = (b.UserAttributes as { Name: string; Value: string }[]) ?? [];
        const temp = typeof b.TemporaryPassword === 'string' ? b.TemporaryPassword : `Tmp${randomBytes(6).toString('hex')}1a`;
        const u = this.createUser(pool, String(b.Username ?? ''), attrs, 'FORCE_CHANGE_PASSWORD');
        u.passwordHash = hashPassword(temp);
        this.save();
        if (b.MessageAction !== 'SUPPRESS') this.mail(u.attributes.email ?? u.username, `Your username is ${b.Username} and temporary password is ${temp}`);
        return { User: this.userType(u) };
      }
      case 'AdminSetUserPassword': {
        const pool = poolFor(b.UserPoolId);
        const u = this.mustUser(this.poolState(pool.id), String(b.Username));
        const err = checkPasswordPolicy(String(b.Password ?? ''), pool.policy);
        if (err) throw new CognitoError('InvalidPasswordException', err);
        u.passwordHash = hashPassword(String(b.Password));
        if (b.Permanent === true) u.status = 'CONFIRMED';
        u.modified = Date.now();
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
        const { user } = await this.verifyAccessToken(String(b.AccessToken ?? ''));
        return { Username: user.username, UserAttributes: this.userAttributes(user) };
      }
      default:
        throw new CognitoError('UnknownOperationException', `Operation ${op} is not supported by the local Cognito endpoint`);
    }
  }

  private cors(req: IncomingMessage): Record<string, string> {
    return {
      'access-control-allow-origin': String(req.headers.origin ?? '*'),
      'access-control-allow-headers': 'content-type,x-amz-target,x-amz-user-agent,authorization,amz-sdk-invocation-id,amz-sdk-request,x-amz-date,x-amz-security-token,x-amz-content-sha256',
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
      const iss = this.issuer(poolId);
      return send(200, { issuer: iss, jwks_uri: `${iss}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'], subject_types_supported: ['public'], response_types_supported: ['code', 'token'] }, 'application/json');
    }
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
