/**
 * The slice of the local core's `Runtime` (ARCHITECTURE.md section 6) the event services
 * use, declared structurally so they depend on the seam, not on the core's internals.
 */
export interface InvokeResult {
  ok: boolean;
  payload?: unknown;
  error?: { errorType: string; errorMessage: string };
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface ServiceRuntime {
  template: unknown;
  invoke(logicalId: string, event: unknown, opts?: { async?: boolean }): Promise<InvokeResult>;
  endpoints: Record<string, string>;
  stateDir: string;
  log: (source: string, message: string) => void;
  rootDir?: string;
  region?: string;
  accountId?: string;
  stackName?: string;
}

export const LOCAL_REGION = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
/** The core's local account (local/src/template); services prefer `rt.accountId`. */
export const LOCAL_ACCOUNT = '123456789012';

/** The resolved template's resources, whichever casing the core uses. */
export function resourcesOf(template: unknown): Record<string, TemplateResource> {
  const t = template as { Resources?: Record<string, TemplateResource>; resources?: Record<string, TemplateResource> } | null;
  return t?.Resources ?? t?.resources ?? {};
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);

/**
 * Maps a resolved function ARN or name back to its logical id: exact logical id, the
 * declared FunctionName, or a local name that ends with the logical id (`myapp-<Id>`).
 */
export function functionLogicalId(template: unknown, arnOrName: string): string | undefined {
  // Qualified ARNs (`...:function:name:live`) and an unresolved `Fn.Alias` ref name the function too.
  const name = (arnOrName.includes(':function:') ? arnOrName.split(':function:')[1]!.split(':')[0]! : arnOrName.split(':').pop()!).replace(/\.Alias$/, '');
  const fns = Object.entries(resourcesOf(template)).filter(([, r]) => FUNCTION_TYPES.has(r.Type));
  const exact = fns.find(([id, r]) => id === name || r.Properties?.FunctionName === name);
  if (exact) return exact[0];
  const bySuffix = fns.filter(([id]) => name.endsWith(`-${id}`) || name.endsWith(id));
  return bySuffix.sort((a, b) => b[0].length - a[0].length)[0]?.[0];
}

/** Reads a JSON request body, bounded in size. */
export async function readBody(req: import('node:http').IncomingMessage, limit = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Waits for `p` at most `ms`, leaving no timer behind (so test runners and the CLI exit). */
export async function boundedWait(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.then(() => undefined, () => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
