/**
 * The Cognito user store and token signer behind the local Cognito endpoint (service.ts):
 * pools, clients and groups from the template (pools.ts), users persisted under the state
 * dir, RS256 tokens with Cognito's claims (tokens.ts, verified by aws-jwt-verify), and the
 * HTTP server: the Cognito Identity Provider JSON protocol (operations.ts), each pool's
 * JWKS and OpenID configuration, and on the same port the pool domain's hosted UI and
 * OAuth2 endpoints (hosted-ui/).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { resourcesOfType, textOf, type ResolvedTemplate } from '../template';
import { closeServer, listenLoopback } from '../ports';
import { awsJson, awsService } from '../protocol';
import { PendingChallenges } from './auth-flows';
import { CognitoError } from './errors';
import { HostedUi } from './hosted-ui';
import type { AuthenticationResult, ClientDef, CognitoCore, PoolDef, PoolState, Rec, SignInSession, State, User } from './model';
import { OPERATIONS } from './operations';
import { checkPasswordPolicy, type PasswordPolicy } from './password';
import { poolsFromTemplate } from './pools';
import { issueRefreshToken, mintTokens, verifyAccessToken, type SigningKey } from './tokens';
import { takeWriterLock } from './writer-lock';

export { checkPasswordPolicy, CognitoError, type PasswordPolicy };
export { StoreLockedError } from './writer-lock';
export type { PoolDef, PoolState, Rec, User } from './model';

export interface CognitoOptions {
  template: ResolvedTemplate;
  stateDir: string;
  region: string;
  baseUrl: string;
  log: (source: string, m: string) => void;
}

const TARGET_PREFIX = 'AWSCognitoIdentityProviderService';

export class CognitoServer implements CognitoCore {
  readonly pools: Record<string, PoolDef>;
  readonly baseUrl: string;
  readonly challenges = new PendingChallenges();
  private state: State;
  private key?: SigningKey;
  private server?: Server;
  private hostedUi = new HostedUi(this);
  /** Releases the store's writer lock (writer-lock.ts): this process is the store's only writer until then. */
  private readonly release: () => void;

  constructor(private o: CognitoOptions) {
    this.baseUrl = o.baseUrl;
    mkdirSync(o.stateDir, { recursive: true });
    this.release = takeWriterLock(o.stateDir);
    const t = o.template;
    this.pools = poolsFromTemplate(t);
    this.state = this.load();
    for (const [lid, r] of resourcesOfType(t, 'AWS::Cognito::UserPoolGroup')) {
      const p = r.Properties as Rec;
      const ps = this.poolState(String(p.UserPoolId));
      const name = textOf(p.GroupName, lid, `${lid} GroupName`);
      ps.groups[name] ??= {
        GroupName: name,
        ...(p.Description ? { Description: textOf(p.Description, '', `${lid} Description`) } : {}),
        ...(p.Precedence !== undefined ? { Precedence: Number(p.Precedence) } : {}),
        created: Date.now(),
      };
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
    for (const pool of Object.values(this.pools)) if (pool.clients[clientId]) return { pool, client: pool.clients[clientId] };
    throw new CognitoError('ResourceNotFoundException', `User pool client ${clientId} does not exist.`);
  }

  /** A pool by id (ResourceNotFoundException if none). */
  poolFor(id: unknown): PoolDef {
    const p = this.pools[String(id)];
    if (!p) throw new CognitoError('ResourceNotFoundException', `User pool ${String(id)} does not exist.`);
    return p;
  }

  userAttributes(u: User): { Name: string; Value: string }[] {
    return [
      { Name: 'sub', Value: u.sub },
      ...Object.entries(u.attributes)
        .filter(([k]) => k !== 'sub')
        .map(([Name, Value]) => ({ Name, Value })),
    ];
  }

  userType(u: User): Rec {
    return {
      Username: u.username,
      Attributes: this.userAttributes(u),
      UserCreateDate: u.created / 1000,
      UserLastModifiedDate: u.modified / 1000,
      Enabled: u.enabled,
      UserStatus: u.status,
    };
  }

  mail(to: string, text: string): void {
    this.o.log('cognito', `mail to ${to}: ${text}`);
    appendFileSync(join(this.o.stateDir, 'messages.log'), `${new Date().toISOString()} to=${to} ${text}\n`);
  }

  log(message: string): void {
    this.o.log('cognito', message);
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
    const u: User = {
      sub,
      username: pool.emailAsUsername ? sub : username,
      attributes,
      status,
      enabled: true,
      groups: [],
      created: Date.now(),
      modified: Date.now(),
    };
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
    const check = {
      key: await this.signingKey(),
      pools: Object.values(this.pools),
      issuer: (id: string) => this.issuer(id),
      poolState: (id: string) => this.poolState(id),
      findUser: (ps: PoolState, n: string) => this.findUser(ps, n),
    };
    return verifyAccessToken(check, token, requiredScope);
  }

  /** One operation of the API (operations.ts); also the CLI's create-user and the hosted UI's forms. */
  async call(op: string, b: Rec): Promise<Rec> {
    const handler = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
    if (!handler) throw new CognitoError('UnknownOperationException', `Operation ${op} is not supported by the local Cognito endpoint`);
    return handler(this, b);
  }

  private cors(req: IncomingMessage): Record<string, string> {
    return {
      'access-control-allow-origin': String(req.headers.origin ?? '*'),
      // Whatever a browser client asks to send (Amplify adds cache-control), as Cognito allows.
      'access-control-allow-headers': String(
        req.headers['access-control-request-headers'] ??
          'content-type,x-amz-target,x-amz-user-agent,authorization,amz-sdk-invocation-id,amz-sdk-request,x-amz-date,x-amz-security-token,x-amz-content-sha256',
      ),
      'access-control-expose-headers': 'x-amzn-requestid,x-amzn-errortype,x-amzn-errormessage,date',
      'access-control-allow-methods': 'POST,GET,OPTIONS',
      'access-control-max-age': '600',
    };
  }

  /** CORS preflights, each pool's JWKS / OpenID configuration and the hosted UI; true when answered. */
  private async routes(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const cors = this.cors(req);
    if (req.method === 'OPTIONS') return (void res.writeHead(204, cors).end(), true);
    const wk = /^\/([^/]+)\/\.well-known\/(jwks\.json|openid-configuration)$/.exec((req.url ?? '/').split('?')[0]!);
    if (req.method === 'GET' && wk) {
      const send = (status: number, body: unknown) =>
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...cors }).end(JSON.stringify(body));
      const poolId = wk[1]!;
      if (!this.pools[poolId]) send(404, { message: 'User pool not found' });
      else send(200, wk[2] === 'jwks.json' ? { keys: [(await this.signingKey()).jwk] } : this.hostedUi.discovery(poolId));
      return true;
    }
    // The user pool domain's hosted UI and OAuth2 endpoints share this port.
    return this.hostedUi.handle(req, res, cors);
  }

  async listen(port: number): Promise<number> {
    await this.signingKey();
    this.server = createServer(
      awsService({
        protocol: awsJson({ version: '1.1', targetPrefix: TARGET_PREFIX }),
        operations: Object.fromEntries(Object.keys(OPERATIONS).map((op) => [op, (input: Rec) => this.call(op, input)])),
        unknownOperation: (op) =>
          new CognitoError(
            'UnknownOperationException',
            op ? `Operation ${op} is not supported by the local Cognito endpoint` : `Not a ${TARGET_PREFIX} request`,
            op ? 400 : 404,
          ),
        internalErrorCode: 'InternalErrorException',
        headers: (req) => this.cors(req),
        routes: (req, res) => this.routes(req, res),
        log: (m) => this.o.log('cognito', m),
      }),
    );
    return listenLoopback(this.server, port);
  }

  /** Stops serving and gives the store up (another process may then write it). */
  async stop(): Promise<void> {
    await closeServer(this.server);
    this.release();
  }
}
