/**
 * The one environment that points AWS SDKs and the AWS CLI at the local endpoints: the
 * region, credentials DynamoDB Local accepts (plain alphanumeric `local`), a session token,
 * and each service's AWS_ENDPOINT_URL_<SERVICE> as its module declares it in the registry.
 * Function processes, `npm run invoke`, `npm run aws-env` and the tests all use it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS } from './local-clients';
import { DEFAULT_PORTS, SERVICES } from './registry';
import { DEFAULT_STACK } from './template';

/** Base URL of each listening service from its port. */
export function localUrls(ports: Readonly<Record<string, number>>): Record<string, string> {
  return Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`]));
}

/** The SDK environment for these service URLs (by module name). */
export function localAwsEnv(region: string, urls: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'local',
  };
  for (const s of SERVICES) {
    const url = urls[s.name];
    if (url) for (const name of s.endpointEnv ?? []) env[name] = url;
  }
  return env;
}

const readJson = <T>(path: string): T | undefined => (existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined);

/**
 * Ports and region of the stack that runs (or last ran) on a state dir: its ports.json and
 * outputs.json, the defaults where it has none.
 */
export function stateDirStack(stateDir: string): { region: string; ports: Record<string, number> } {
  const ports = { ...DEFAULT_PORTS, ...readJson<Record<string, number>>(join(stateDir, 'ports.json')) };
  const region = readJson<Record<string, string>>(join(stateDir, 'outputs.json'))?.Region ?? DEFAULT_STACK.region;
  return { region, ports };
}

/** `export K='v'` lines for a shell (`eval "$(npm run -s aws-env)"`). */
export function exportLines(env: Readonly<Record<string, string>>): string {
  const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
  return Object.entries(env)
    .map(([k, v]) => `export ${k}=${quote(v)}\n`)
    .join('');
}
