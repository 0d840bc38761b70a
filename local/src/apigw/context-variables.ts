/**
 * API Gateway's `$context` variables, for gateway response templates and the access log
 * format: `$context.requestId`, `$context.error.messageString`, `${context.identity.sourceIp}`.
 * A variable with no value becomes `missing` (`-` in access logs, as API Gateway writes).
 */
export type ContextVariables = { [name: string]: string | number | boolean | null | undefined | ContextVariables };

function lookup(vars: ContextVariables, path: string): unknown {
  let v: unknown = vars;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

export function substituteContext(template: string, vars: ContextVariables, missing: string): string {
  return template.replace(
    /\$\{context\.([A-Za-z0-9_.]+)\}|\$context\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/g,
    (_m, braced: string | undefined, bare: string | undefined) => {
      const v = lookup(vars, (braced ?? bare)!);
      if (v === null) return 'null';
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : missing;
    },
  );
}
