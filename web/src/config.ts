/** Runtime config, generated per environment (never baked into the bundle). */
export interface AppConfig {
  apiUrl: string;
  region: string;
  userPoolId: string;
  clientId: string;
  /** Cognito Identity Provider endpoint: the regional one in AWS, the local one under npm start. */
  cognitoEndpoint: string;
  /** The user pool domain (hosted UI, /oauth2/*): `CognitoHostedUIURL`. */
  hostedUiUrl: string;
}

export async function loadConfig(): Promise<AppConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok)
    throw new Error(`Could not load /config.json (HTTP ${res.status}). Deploy with npm run deploy:web, or start locally with npm start.`);
  const c = (await res.json()) as Partial<AppConfig>;
  for (const k of ['apiUrl', 'region', 'userPoolId', 'clientId', 'cognitoEndpoint', 'hostedUiUrl'] as const) {
    if (!c[k]) throw new Error(`/config.json lacks "${k}"`);
  }
  const trim = (u: string) => u.replace(/\/+$/, '');
  return { ...(c as AppConfig), apiUrl: trim(c.apiUrl!), cognitoEndpoint: trim(c.cognitoEndpoint!), hostedUiUrl: trim(c.hostedUiUrl!) };
}
