/**
 * The parameters of an authorization request (`/oauth2/authorize`, and every hosted UI
 * page, which carries them along), checked against the app client as Cognito checks them:
 * a client with OAuth enabled, a redirect_uri among its CallbackURLs (otherwise an error
 * page: never a redirect to an unlisted URL), the code flow, scopes it allows, PKCE S256.
 */
import type { ClientDef, PoolDef } from '../model';

export interface AuthorizeRequest {
  pool: PoolDef;
  client: ClientDef;
  clientId: string;
  redirectUri: string;
  state?: string;
  scopes: string[];
  codeChallenge?: string;
  nonce?: string;
  /** The same parameters as a query string, carried from page to page. */
  query: string;
}

export type ParsedAuthorize = { ok: AuthorizeRequest } | { errorPage: string } | { redirect: string };

const CARRIED = [
  'client_id',
  'response_type',
  'redirect_uri',
  'state',
  'scope',
  'code_challenge',
  'code_challenge_method',
  'nonce',
] as const;

export function errorRedirect(redirectUri: string, error: string, description: string, state?: string): string {
  const u = new URL(redirectUri);
  u.searchParams.set('error', error);
  u.searchParams.set('error_description', description);
  if (state !== undefined) u.searchParams.set('state', state);
  return u.toString();
}

export function findClient(pools: Record<string, PoolDef>, clientId: string): { pool: PoolDef; client: ClientDef } | undefined {
  for (const pool of Object.values(pools)) if (pool.clients[clientId]) return { pool, client: pool.clients[clientId] };
  return undefined;
}

export function parseAuthorizeRequest(pools: Record<string, PoolDef>, q: URLSearchParams): ParsedAuthorize {
  const clientId = q.get('client_id') ?? '';
  const found = findClient(pools, clientId);
  if (!found) return { errorPage: 'invalid_request: client_id is missing or not a client of any user pool' };
  const { pool, client } = found;
  if (!pool.domain)
    return { errorPage: `unauthorized_client: user pool ${pool.id} has no domain (AWS::Cognito::UserPoolDomain), so no hosted UI` };
  if (!client.oauth.enabled)
    return { errorPage: 'unauthorized_client: the app client does not allow OAuth flows (AllowedOAuthFlowsUserPoolClient)' };
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!client.oauth.callbackUrls.includes(redirectUri))
    return { errorPage: `redirect_mismatch: ${redirectUri || 'no redirect_uri'} is not among the app client's CallbackURLs` };
  const state = q.get('state') ?? undefined;
  const fail = (error: string, description: string) => ({ redirect: errorRedirect(redirectUri, error, description, state) });
  const responseType = q.get('response_type');
  if (responseType !== 'code') {
    return responseType === 'token' && client.oauth.flows.includes('implicit')
      ? fail('unsupported_response_type', 'the implicit flow is not emulated locally: use the code flow with PKCE')
      : fail(
          responseType === 'token' ? 'unauthorized_client' : 'unsupported_response_type',
          `response_type ${responseType ?? '(none)'} is not allowed for this client`,
        );
  }
  if (!client.oauth.flows.includes('code')) return fail('unauthorized_client', "the code flow is not among the client's AllowedOAuthFlows");
  const asked = (q.get('scope') ?? '').split(/[\s+]+/).filter(Boolean);
  const scopes = asked.length ? asked : client.oauth.scopes;
  const refused = scopes.filter((s) => !client.oauth.scopes.includes(s));
  if (refused.length) return fail('invalid_scope', `scope not allowed for this client: ${refused.join(' ')}`);
  const codeChallenge = q.get('code_challenge') ?? undefined;
  const method = q.get('code_challenge_method');
  if (codeChallenge !== undefined && method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
  if (codeChallenge !== undefined && !/^[A-Za-z0-9_-]{43,128}$/.test(codeChallenge))
    return fail('invalid_request', 'code_challenge is malformed');
  const carried = new URLSearchParams();
  for (const k of CARRIED) if (q.has(k)) carried.set(k, q.get(k)!);
  const nonce = q.get('nonce') ?? undefined;
  return {
    ok: {
      pool,
      client,
      clientId,
      redirectUri,
      scopes,
      query: carried.toString(),
      ...(state !== undefined ? { state } : {}),
      ...(codeChallenge ? { codeChallenge } : {}),
      ...(nonce ? { nonce } : {}),
    },
  };
}
