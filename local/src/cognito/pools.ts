/**
 * User pools and app clients as the template declares them: password policy, username
 * attributes, auto-verification, custom attributes, the hosted UI domain, and per client
 * the auth flows, token lifetimes, PreventUserExistenceErrors and the OAuth settings.
 */
import { resourcesOfType, textOf, type ResolvedTemplate } from '../template';
import type { ClientDef, PoolDef, Rec } from './model';

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const flag = (v: unknown, dflt: boolean) => (v === undefined ? dflt : v === true || v === 'true');

function poolDef(id: string, logicalId: string, p: Rec): PoolDef {
  const pp = ((p.Policies as Rec | undefined)?.PasswordPolicy ?? {}) as Rec;
  const attrs = strings(p.UsernameAttributes).concat(strings(p.AliasAttributes));
  return {
    id,
    logicalId,
    policy: {
      MinimumLength: Number(pp.MinimumLength ?? 8),
      RequireUppercase: flag(pp.RequireUppercase, true),
      RequireLowercase: flag(pp.RequireLowercase, true),
      RequireNumbers: flag(pp.RequireNumbers, true),
      RequireSymbols: flag(pp.RequireSymbols, false),
    },
    emailAsUsername: attrs.includes('email'),
    autoVerifyEmail: strings(p.AutoVerifiedAttributes).includes('email'),
    customAttributes: ((p.Schema ?? []) as Rec[])
      .map((a) => String(a.Name))
      .filter((n) => !['email', 'name', 'phone_number'].includes(n))
      .map((n) => `custom:${n}`),
    clients: {},
  };
}

function clientDef(logicalId: string, p: Rec): ClientDef {
  const v = (p.TokenValidityUnits ?? {}) as Rec;
  const minutes = (n: unknown, unit: unknown, d: number) =>
    n === undefined
      ? d
      : Number(n) *
        ({ seconds: 1 / 60, minutes: 1, hours: 60, days: 1440 }[textOf(unit, 'hours', `${logicalId} TokenValidityUnits`)] ?? 60);
  return {
    logicalId,
    name: textOf(p.ClientName, logicalId, `${logicalId} ClientName`),
    flows: strings(p.ExplicitAuthFlows),
    accessMinutes: minutes(p.AccessTokenValidity, v.AccessToken, 60),
    idMinutes: minutes(p.IdTokenValidity, v.IdToken, 60),
    refreshDays: minutes(p.RefreshTokenValidity, v.RefreshToken ?? 'days', 30 * 1440) / 1440,
    // The API's default when the property is absent is LEGACY.
    preventUserExistenceErrors: p.PreventUserExistenceErrors === 'ENABLED',
    oauth: {
      enabled: flag(p.AllowedOAuthFlowsUserPoolClient, false),
      flows: strings(p.AllowedOAuthFlows),
      scopes: strings(p.AllowedOAuthScopes),
      callbackUrls: strings(p.CallbackURLs),
      logoutUrls: strings(p.LogoutURLs),
    },
  };
}

export function poolsFromTemplate(t: ResolvedTemplate): Record<string, PoolDef> {
  const pools: Record<string, PoolDef> = {};
  for (const [lid, r] of resourcesOfType(t, 'AWS::Cognito::UserPool')) pools[t.refs[lid]!] = poolDef(t.refs[lid]!, lid, r.Properties);
  for (const [lid, r] of resourcesOfType(t, 'AWS::Cognito::UserPoolClient')) {
    const p = r.Properties as Rec;
    const pool = pools[String(p.UserPoolId)];
    if (pool) pool.clients[t.refs[lid]!] = clientDef(lid, p);
  }
  for (const [, r] of resourcesOfType(t, 'AWS::Cognito::UserPoolDomain')) {
    const p = r.Properties as Rec;
    const pool = pools[String(p.UserPoolId)];
    if (pool) pool.domain = String(p.Domain);
  }
  return pools;
}
