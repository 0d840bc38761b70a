/**
 * A ServiceContext for testing one service module on its own: a template resolved through
 * the registry (so names and ARNs are what `npm start` gives), a state dir, scripted functions.
 */
import type { FunctionHost, ServiceContext } from '../src/contract';
import { functionIdOf } from '../src/lambda/functions';
import { LogBus } from '../src/log-bus';
import { resolveStackTemplate } from '../src/registry';
import type { JsonObject } from '../src/template';

export interface TestContextOptions {
  /** A raw template (CloudFormation JSON), or just its Resources. */
  template?: JsonObject;
  resources?: Record<string, unknown>;
  stateDir: string;
  invoke?: FunctionHost['invoke'];
  /** Service URLs known before the template is resolved (queue URLs use `sqs`). */
  urls?: Record<string, string>;
  outputs?: Record<string, string>;
  region?: string;
  rootDir?: string;
  log?: (source: string, message: string) => void;
}

/** The context, with `urls` writable so a test can point one service at another it started. */
export type TestContext = ServiceContext & { urls: Record<string, string> };

export function serviceContext(o: TestContextOptions): TestContext {
  const urls = { ...o.urls };
  const stack = { region: o.region ?? 'us-east-1', accountId: '123456789012', stackName: 'myapp', urls };
  const template = resolveStackTemplate(o.template ?? ({ Resources: o.resources ?? {} } as JsonObject), { ctx: stack });
  const rootDir = o.rootDir ?? process.cwd();
  return {
    ...stack,
    template,
    outputs: o.outputs ?? {},
    endpoints: {},
    awsEnv: {},
    port: 0,
    rootDir,
    templateDir: rootDir,
    stateDir: o.stateDir,
    freshState: true,
    options: {},
    functions: { invoke: o.invoke ?? (async () => ({ ok: true })), functionId: (name) => functionIdOf(template, name) },
    logs: new LogBus(),
    log: o.log ?? (() => undefined),
    phase: () => undefined,
  };
}
