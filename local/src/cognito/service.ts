/**
 * Cognito user pools: an endpoint that speaks the Cognito Identity Provider JSON protocol
 * for what the app and its users need (operations.ts: sign-up and confirmation,
 * USER_PASSWORD_AUTH and refresh, the Admin* user and group operations, ListUsers,
 * GetUser), the template's pools, clients (token validity, auth flows) and groups, users
 * persisted under the state dir, RS256 tokens with Cognito's claims and each pool's JWKS /
 * OpenID configuration. Template URLs `https://cognito-idp.<region>.amazonaws.com/<pool>`
 * point here. Confirmation codes and temporary passwords go to `<state>/cognito/messages.log`.
 * Not emulated: the hosted UI and its domain, Lambda triggers, MFA, identity providers,
 * identity pools, advanced security, custom attributes' schema checks.
 */
import { join } from 'node:path';
import type { ResourceKind, ServiceModule } from '../contract';
import { notEmulated } from '../kinds';
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

const COGNITO_URL = /^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\/(.*)$/;

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
  kinds: [userPoolKind, userPoolClientKind, userPoolGroupKind, notEmulated(['AWS::Cognito::UserPoolDomain'], 'Cognito hosted UI domains', 'no hosted UI locally')],
  // The issuer and JWKS URLs point at the local endpoint, so the authorizer needs no local branch.
  localize: (value, ctx) => {
    const m = ctx.urls.cognito ? COGNITO_URL.exec(value) : null;
    return m ? `${ctx.urls.cognito}/${m[1]}` : undefined;
  },
  start: async (ctx) => {
    // Loaded here, not at the top: jose is ESM-only, and the registry (which unit tests load) needs only the kinds above.
    const { CognitoServer } = await import('.');
    const cognito = new CognitoServer({ template: ctx.template, stateDir: join(ctx.stateDir, 'cognito'), region: ctx.region, baseUrl: ctx.urls.cognito!, log: ctx.log });
    const port = await cognito.listen(ctx.port);
    return { url: `http://127.0.0.1:${port}`, stop: () => cognito.stop() };
  },
};
