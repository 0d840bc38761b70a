/**
 * SAM CLI's rule for a function's environment under `sam local invoke|start-api --env-vars`,
 * as SAM CLI 1.164.0 writes it (samcli/commands/local/lib/local_lambda.py `_make_env_vars`,
 * samcli/local/lambdafn/env_vars.py `EnvironmentVariables.resolve()`), so tests can check
 * what template.yaml plus events/env.local.json give each function without Docker.
 */
import type { Json, JsonObject } from '../../local/src/template';

/** An --env-vars file: `Parameters` for every function, `<LogicalId>` sections for one. */
export type EnvVarsFile = Record<string, Json>;

export const isObject = (v: Json | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lists, dicts and None become "", booleans "true"/"false" (env_vars.py `_stringify_value`). */
export function stringify(v: Json): string {
  if (v === null || Array.isArray(v) || isObject(v)) return '';
  if (v === true) return 'true';
  if (v === false) return 'false';
  return String(v);
}

/**
 * For each DECLARED name: the template's value, then the shell's, then the file's
 * (`Parameters` updated by the function's section, which SAM looks up by logical id, function
 * id, function name or path; for a root-stack function the first two are the logical id).
 * Names the template does not declare never reach the function. (SAM adds its own AWS_*
 * variables, credentials and region first; not modelled here.)
 */
export function samResolve(
  declared: Record<string, Json>,
  file: EnvVarsFile,
  logicalId: string,
  shell: Record<string, string> = {},
): Record<string, string> {
  for (const v of Object.values(file)) if (!isObject(v)) throw new Error(`Environment variables ${JSON.stringify(v)} in incorrect format`);
  const overrides = { ...((file.Parameters as JsonObject | undefined) ?? {}), ...((file[logicalId] as JsonObject | undefined) ?? {}) };
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(declared)) {
    let v: Json = value;
    if (name in shell) v = shell[name]!;
    if (name in overrides) v = overrides[name]!;
    out[name] = stringify(v);
  }
  return out;
}

/**
 * A function's declared variables as SAM reads them from the raw template: Globals merged
 * under the function's own; `Ref` to a parameter is its Default, to a resource its logical id
 * (SAM's intrinsic resolver); any other intrinsic is left as a marker no real value equals,
 * so env.local.json must override it.
 */
export function samDeclared(raw: JsonObject, logicalId: string): Record<string, Json> {
  const vars = (node: Json | undefined): JsonObject =>
    (((isObject(node) ? node.Environment : undefined) as JsonObject | undefined)?.Variables ?? {}) as JsonObject;
  const globals = vars((raw.Globals as JsonObject | undefined)?.Function);
  const own = vars(((raw.Resources as JsonObject)[logicalId] as JsonObject).Properties);
  const params = (raw.Parameters ?? {}) as Record<string, JsonObject>;
  const value = (v: Json): Json => {
    if (!isObject(v)) return v;
    if (typeof v.Ref === 'string') {
      if (v.Ref in params) return params[v.Ref]!.Default ?? null;
      if (v.Ref === 'AWS::Region') return 'us-east-1';
      return v.Ref;
    }
    return `<unresolved ${Object.keys(v)[0]}>`;
  };
  return Object.fromEntries(Object.entries({ ...globals, ...own }).map(([k, v]) => [k, value(v)]));
}
