/**
 * The local Cognito's data: pools and app clients read from the template (pools.ts), users
 * and their sign-ins persisted under the state dir, and the narrow surface (`CognitoCore`)
 * that the operations (operations.ts, auth-flows.ts, account.ts) and the hosted UI work
 * through. Errors are in errors.ts, passwords and codes in credentials.ts.
 */
import type { PendingChallenges } from './auth-flows';
import type { PasswordPolicy } from './password';
import type { PasswordVerifier } from './srp';

export type Rec = Record<string, unknown>;

export interface OAuthClientSettings {
  /** AllowedOAuthFlowsUserPoolClient: the client may use the hosted UI and /oauth2 at all. */
  enabled: boolean;
  /** AllowedOAuthFlows: code, implicit, client_credentials. */
  flows: string[];
  /** AllowedOAuthScopes. */
  scopes: string[];
  callbackUrls: string[];
  logoutUrls: string[];
}

export interface ClientDef {
  logicalId: string;
  name: string;
  /** ExplicitAuthFlows as written (ALLOW_USER_SRP_AUTH, ...). */
  flows: string[];
  accessMinutes: number;
  idMinutes: number;
  refreshDays: number;
  /** PreventUserExistenceErrors: ENABLED answers an unknown user as a wrong password. */
  preventUserExistenceErrors: boolean;
  oauth: OAuthClientSettings;
}

export interface PoolDef {
  id: string;
  logicalId: string;
  policy: PasswordPolicy;
  emailAsUsername: boolean;
  autoVerifyEmail: boolean;
  /** Custom attributes declared in the pool's Schema (`custom:<name>`). */
  customAttributes: string[];
  /** The UserPoolDomain prefix, when the template gives the pool a hosted UI. */
  domain?: string;
  clients: Record<string, ClientDef>;
}

export interface PendingCode {
  code: string;
  /** Epoch ms. */
  expires: number;
  attempts: number;
}

export interface User {
  sub: string;
  username: string;
  attributes: Record<string, string>;
  /** Salt and verifier, as Cognito stores a password (SRP). */
  srp?: PasswordVerifier;
  /** scrypt hash from state dirs written before SRP; replaced by `srp` at the next password sign-in. */
  passwordHash?: string;
  status: 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED';
  enabled: boolean;
  groups: string[];
  created: number;
  modified: number;
  /** Sign-up confirmation code (older state dirs: a bare string). */
  code?: string | PendingCode;
  /** ForgotPassword's code. */
  resetCode?: PendingCode;
  /** Codes for changed attributes awaiting VerifyUserAttribute (email). */
  attributeCodes?: Record<string, PendingCode>;
}

export interface RefreshTokenRecord {
  username: string;
  clientId: string;
  originJti: string;
  authTime: number;
  expires: number;
  /** OAuth scopes granted through the hosted UI; absent for API sign-ins. */
  scope?: string[];
}

export interface PoolState {
  users: Record<string, User>;
  groups: Record<string, { GroupName: string; Description?: string; Precedence?: number; created: number }>;
  refreshTokens: Record<string, RefreshTokenRecord>;
  /** origin_jti of revoked sign-ins (GlobalSignOut, RevokeToken) -> epoch ms after which no token of it is alive. */
  revokedOrigins?: Record<string, number>;
}

/** What the server persists (`<state>/cognito/users.json`). */
export interface State {
  pools: Record<string, PoolState>;
}

/** One sign-in: what every token minted from it (and its refreshes) carries. */
export interface SignInSession {
  authTime: number;
  originJti: string;
  /** OAuth scopes (hosted UI); API sign-ins get aws.cognito.signin.user.admin. */
  scope?: string[];
  nonce?: string;
}

export interface AuthenticationResult extends Rec {
  AccessToken: string;
  IdToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

/** What the operations and the hosted UI need from the server, and nothing more. */
export interface CognitoCore {
  readonly pools: Record<string, PoolDef>;
  readonly baseUrl: string;
  /** Sign-in challenges awaiting RespondToAuthChallenge (in memory, minutes). */
  readonly challenges: PendingChallenges;
  /** A pool by id (ResourceNotFoundException if none). */
  poolFor(id: unknown): PoolDef;
  poolState(poolId: string): PoolState;
  poolOfClient(clientId: string): { pool: PoolDef; client: ClientDef };
  findUser(ps: PoolState, name: string): User | undefined;
  mustUser(ps: PoolState, name: string): User;
  userAttributes(u: User): { Name: string; Value: string }[];
  /** A user as ListUsers and AdminCreateUser answer it. */
  userType(u: User): Rec;
  /** A new user in the pool (UsernameExistsException for a taken name or email); the caller saves. */
  createUser(pool: PoolDef, username: string, attrs: { Name: string; Value: string }[], status: User['status']): User;
  save(): void;
  mail(to: string, text: string): void;
  log(message: string): void;
  issuer(poolId: string): string;
  tokens(pool: PoolDef, clientId: string, u: User, session: SignInSession, withRefresh: boolean): Promise<AuthenticationResult>;
  /** requiredScope: Cognito's user operations need aws.cognito.signin.user.admin. */
  verifyAccessToken(token: string, requiredScope?: string): Promise<{ pool: PoolDef; user: User; claims: Rec }>;
  /** One API operation, for the hosted UI's forms (the same rules and messages as the API). */
  call(op: string, body: Rec): Promise<Rec>;
}

/** One API operation (operations.ts registers each by name). */
export type CognitoOperation = (c: CognitoCore, body: Rec) => Rec | Promise<Rec>;
