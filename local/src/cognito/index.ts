/**
 * The Cognito user store and token signer behind the local Cognito endpoint (service.ts):
 * pools, clients and groups from the template, users persisted under the state dir, RS256
 * tokens with Cognito's claims (verified by aws-jwt-verify), and the HTTP server: the
 * Cognito Identity Provider JSON protocol (operations.ts) plus each pool's JWKS and
 * OpenID configuration.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import { resourcesOfType, type ResolvedTemplate } from '../template';
import { closeServer, listenLoopback } from '../ports';
import { awsJson, awsService } from '../protocol';
import { CognitoError, type PoolDef, type PoolState, type Rec, type State, type User } from './model';
import { OPERATIONS } from './operations';
import { checkPasswordPolicy, type PasswordPolicy } from './password';

export { checkPasswordPolicy, type PasswordPolicy };
export { checkPassword, CognitoError, hashPassword, type PoolDef, type PoolState, type Rec, type User } from './model';

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

  save(): void {
    // Write-then-rename so a crash never leaves a half-written user store.
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.state, null, 1));
    renameSync(`${this.file}.tmp`, this.file);
  }

  poolState(poolId: string): PoolState {
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

  findUser(ps: PoolState, name: string): User | undefined {
    const lower = name.toLowerCase();
    return ps.users[name] ?? Object.values(ps.users).find((u) => u.sub === name || u.attributes.email?.toLowerCase() === lower);
  }

  mustUser(ps: PoolState, name: string): User {
    const u = this.findUser(ps, String(name ?? ''));
    if (!u) throw new CognitoError('UserNotFoundException', 'User does not exist.');
    return u;
  }

  poolOfClient(clientId: string): { pool: PoolDef; client: PoolDef['clients'][string] } {
    for (const pool of Object.values(this.pools)) if (pool.clients[clientId]) return { pool, client: pool.clients[clientId]! };
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }

  userAttributes(u: User): { Name: string; Value: string }[] {
    return [{ Name: 'sub', Value: u.sub }, ...Object.entries(u.attributes).filter(([k]) => k !== 'sub').map(([Name, Value]) => ({ Name, Value }))];
  }

  userType(u: User): Rec {
    return { Username: u.username, Attributes: this.userAttributes(u), UserCreateDate: u.created / 1000, UserLastModifiedDate: u.modified / 1000, Enabled: u.enabled, UserStatus: u.status };
  }

  mail(to: string, text: string): void {
    this.o.log('cognito', `mail to ${to}: ${text}`);
    appendFileSync(join(this.o.stateDir, 'messages.log'), `${new Date().toISOString()} to=${to} ${text}\n`);
  }

  createUser(pool: PoolDef, username: string, attrs: { Name: string; Value: string }[] = [], status: User['status']): User {
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

  async tokens(pool: PoolDef, clientId: string, u: User, authTime: number, originJti: string, withRefresh: boolean): Promise<Rec> {
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

  async verifyAccessToken(token: string): Promise<{ pool: PoolDef; user: User }> {
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

  /** A pool by id (ResourceNotFoundException if none). */
  poolFor(id: unknown): PoolDef {
    const p = this.pools[String(id)];
    if (!p) throw new CognitoError('ResourceNotFoundException', `User pool ${String(id)} does not exist.`);
    return p;
  }

  /** One operation of the API (operations.ts); also the CLI's create-user. */
  async call(op: string, b: Rec): Promise<Rec> {
    const handler = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    if (!handler) throw new CognitoError('UnknownOperationException', `Operation ${op} is not supported by the local Cognito endpoint`);
    return handler(this, b);
  }

  private cors(req: IncomingMessage): Record<string, string> {
    return {
      'access-control-allow-origin': String(req.headers.origin ?? '*'),
      'access-control-allow-headers': 'content-type,x-amz-target,x-amz-user-agent,authorization,amz-sdk-invocation-id,amz-sdk-request,x-amz-date,x-amz-security-token,x-amz-content-sha256',
      'access-control-allow-methods': 'POST,GET,OPTIONS',
      'access-control-max-age': '600',
    };
  }

  /** CORS preflights and each pool's JWKS / OpenID configuration; true when answered. */
  private async routes(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method === 'OPTIONS') return void res.writeHead(204, this.cors(req)).end(), true;
    const wk = /^\/([^/]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec((req.url ?? '/').split('?')[0]!);
    if (req.method !== 'GET' || !wk) return false;
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...this.cors(req) }).end(JSON.stringify(body));
    const poolId = wk[1]!;
    if (!this.pools[poolId]) send(404, { message: 'User pool not found' });
    else if (wk[2] === 'jwks.json') send(200, { keys: [(await this.signingKey()).jwk] });
    else {
      const iss = this.issuer(poolId);
      send(200, { issuer: iss, jwks_uri: `${iss}/.well-known/jwks.json`, id_token_signing_alg_values_supported: ['RS256'], subject_types_supported: ['public'], response_types_supported: ['code', 'token'] });
    }
    return true;
  }

  async listen(port: number): Promise<number> {
    await this.signingKey();
    const prefix = 'AWSCognitoIdentityProviderService';
    this.server = createServer(
      awsService({
        protocol: awsJson({ version: '1.1', targetPrefix: prefix }),
        operations: Object.fromEntries(Object.keys(OPERATIONS).map((op) => [op, (input: Rec) => this.call(op, input)])),
        unknownOperation: (op) => new CognitoError('UnknownOperationException', op ? `Operation ${op} is not supported by the local Cognito endpoint` : `Not a ${prefix} request`, op ? 400 : 404),
        internalErrorCode: 'InternalErrorException',
        headers: (req) => this.cors(req),
        routes: (req, res) => this.routes(req, res),
        log: (m) => this.o.log('cognito', m),
      }),
    );
    return listenLoopback(this.server!, port);
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }
}
