/**
 * Cognito user pools: an endpoint that speaks the Cognito Identity Provider JSON protocol
 * for what the app and its users need (operations.ts: sign-up and confirmation, sign-in with
 * USER_SRP_AUTH, USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and refresh, the
 * PASSWORD_VERIFIER and NEW_PASSWORD_REQUIRED challenges, forgotten and changed passwords,
 * attribute updates and verification, GlobalSignOut and RevokeToken, the Admin* user and group
 * operations, ListUsers, GetUser), the template's pools, clients (auth flows, token validity,
 * PreventUserExistenceErrors, OAuth settings) and groups, users persisted under the state
 * dir (passwords as SRP salt and verifier), RS256 tokens with Cognito's claims and each
 * pool's JWKS / OpenID configuration. On the same port, the pool domain
 * (AWS::Cognito::UserPoolDomain) serves the hosted UI (sign-in, sign-up, confirmation, new
 * and forgotten password, /logout) and the OAuth2 endpoints (/oauth2/authorize, /oauth2/token
 * for the code flow with PKCE and refresh_token, /oauth2/userInfo, /oauth2/revoke), honouring
 * the client's callback and logout URLs, scopes and flows. Template URLs
 * `https://cognito-idp.<region>.amazonaws.com/<pool>` and `https://<prefix>.auth.<region>.amazoncognito.com`
 * point here. Codes and temporary passwords go to `<state>/cognito/messages.log`.
 * Not emulated: the implicit flow, client secrets, MFA, custom auth and other Lambda
 * triggers, devices (remembered devices, device SRP), federation and identity providers,
 * identity pools, advanced security, custom attributes' schema checks beyond their names.
 * Hosted UI sessions, authorization codes and pending challenges live in memory (a restart
 * ends them; tokens and refresh tokens survive).
 */
import { join } from 'node:path';
import type { ResourceKind, ServiceModule } from '../contract';
import { ALNUM, declaredName, LOWER_ALNUM, resourcesOfType, stableId } from '../template';

const userPoolKind: ResourceKind = {
  types: ['AWS::Cognito::UserPool'],
  // Cognito-shaped (`<region>_<9 alphanumerics>`), stable per logical id: tokens survive restarts.
  physicalId: (r, ctx) => `${ctx.region}_${stableId(`${ctx.stackName}/${r.logicalId}`, 9, ALNUM)}`,
  arn: (r, ctx) => `arn:aws:cognito-idp:${ctx.region}:${ctx.accountId}:userpool/${r.ref}`,
  getAtt: (attr, r, ctx) =>
    ({
      ProviderName: `cognito-idp.${ctx.region}.amazonaws.com/${r.ref}`,
      ProviderURL: `https://cognito-idp.${ctx.region}.amazonaws.com/${r.ref}`,
      UserPoolId: r.ref,
    })[attr],
};

const userPoolClientKind: ResourceKind = {
  types: ['AWS::Cognito::UserPoolClient'],
  physicalId: (r, ctx) => stableId(`${ctx.stackName}/${r.logicalId}/client`, 26, LOWER_ALNUM),
};

const userPoolGroupKind: ResourceKind = {
  types: ['AWS::Cognito::UserPoolGroup'],
  physicalId: (r, ctx) => declaredName(r, 'GroupName', ctx),
};

const userPoolDomainKind: ResourceKind = {
  types: ['AWS::Cognito::UserPoolDomain'],
  // Ref gives the domain prefix, as in CloudFormation; its hosted UI is served on the Cognito port (localize below).
  physicalId: (r, ctx) => declaredName(r, 'Domain', ctx),
  getAtt: (attr, r, ctx) =>
    attr === 'CloudFrontDistribution'
      ? ctx.urls.cognito
        ? new URL(ctx.urls.cognito).host
        : `d${stableId(`${ctx.stackName}/${r.logicalId}`, 13, LOWER_ALNUM)}.cloudfront.net`
      : undefined,
};

/** The issuer and JWKS URLs: a whole value. */
const COGNITO_URL = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/(.*)$/;
/** A pool domain's hosted UI, anywhere in a value (CognitoLoginURL, a CSP). */
const HOSTED_UI_URL = /https:\/\/[a-z0-9-]+\.auth\.[a-z0-9-]+\.amazoncognito\.com/gi;

export const cognitoService: ServiceModule = {
  name: 'cognito',
  port: 9229,
  endpointEnv: ['AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER'],
  endpoints: (url) => ({ CognitoEndpoint: url }),
  outputs: (t) => {
    const pool = resourcesOfType(t, 'AWS::Cognito::UserPool')[0];
    const client = resourcesOfType(t, 'AWS::Cognito::UserPoolClient')[0];
    return { ...(pool ? { UserPoolId: t.refs[pool[0]]! } : {}), ...(client ? { UserPoolClientId: t.refs[client[0]]! } : {}) };
  },
  kinds: [userPoolKind, userPoolClientKind, userPoolGroupKind, userPoolDomainKind],
  // The issuer and JWKS URLs point at the local endpoint, so the authorizer needs no local
  // branch; the hosted UI domain too, so CognitoLoginURL and CognitoHostedUIURL work locally.
  localize: (value, ctx) => {
    const local = ctx.urls.cognito;
    if (!local) return undefined;
    const m = COGNITO_URL.exec(value);
    const issuer = m ? `${local}/${m[1]}` : value;
    const out = issuer.replace(HOSTED_UI_URL, local);
    return out === value ? undefined : out;
  },
  start: async (ctx) => {
    // Loaded here, not at the top: jose is ESM-only, and the registry (which unit tests load) needs only the kinds above.
    const { CognitoServer } = await import('.');
    const cognito = new CognitoServer({
      template: ctx.template,
      stateDir: join(ctx.stateDir, 'cognito'),
      region: ctx.region,
      baseUrl: ctx.urls.cognito!,
      log: ctx.log,
    });
    const port = await cognito.listen(ctx.port);
    return { url: `http://127.0.0.1:${port}`, stop: () => cognito.stop() };
  },
};
