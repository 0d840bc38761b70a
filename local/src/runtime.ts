/**
 * Starts the whole application from template.yaml: picks the ports, resolves the template
 * with the registry's names, then starts the registry's services group by group (each
 * group together) and writes outputs.json. The core knows no service by name.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FunctionHost, Log, RuntimeOptions, ServiceContext, ServiceModule, StackContext, StartedService } from './contract';
import { localAwsEnv, localUrls } from './environment';
import { LogBus } from './log-bus';
import { assertPortFree, bindable, freePort } from './ports';
import { CATALOG, DEFAULT_PORTS, loadStackTemplate, SERVICE_GROUPS, SERVICES } from './registry';
import { startupSummary } from './summary';
import { DEFAULT_STACK, type ResolvedTemplate } from './template';

export { DEFAULT_PORTS };

export interface StartOptions extends RuntimeOptions {
  rootDir: string;
  templatePath?: string;
  stateDir?: string;
  fresh?: boolean;
  parameterOverrides?: Record<string, string>;
  /** Ports by service name (api, lambda, dynamodb, ...); the rest default. */
  ports?: Partial<Record<string, number>>;
  /** Pick every port not given explicitly at random (tests). */
  autoPorts?: boolean;
  region?: string;
  /** List every not-emulated resource, not just the counts. */
  verbose?: boolean;
  log?: Log;
}

export interface LocalRuntime {
  template: ResolvedTemplate;
  stateDir: string;
  endpoints: Record<string, string>;
  outputs: Record<string, string>;
  readyMs: number;
  /** Milliseconds from the start to the end of each start-up phase (where the time went). */
  phases: Record<string, number>;
  summary: string[];
  stop(): Promise<void>;
}

/**
 * Ports first: a port in use is a one-line error before anything starts. With --ports auto,
 * a restart on the same state dir takes the previous ports when they are free, so the
 * Cognito issuer (and the tokens clients hold) stays valid.
 */
async function choosePorts(o: StartOptions, stateDir: string): Promise<Record<string, number>> {
  const portsFile = join(stateDir, 'ports.json');
  const previous =
    o.autoPorts && !o.fresh && existsSync(portsFile)
      ? (JSON.parse(readFileSync(portsFile, 'utf8')) as Partial<Record<string, number>>)
      : {};
  const ports: Record<string, number> = {};
  for (const name of Object.keys(DEFAULT_PORTS)) {
    const given = o.ports?.[name];
    if (given === undefined && o.autoPorts) {
      const prev = previous[name];
      ports[name] = prev !== undefined && (await bindable(prev)) ? prev : await freePort(Object.values(ports));
      continue;
    }
    ports[name] = given ?? DEFAULT_PORTS[name]!;
    await assertPortFree(ports[name], name);
  }
  return ports;
}

/** The stack name `sam deploy` would use: samconfig.toml's `stack_name` (default section), else myapp. */
export function stackNameFrom(...dirs: string[]): string {
  for (const dir of dirs) {
    const file = join(dir, 'samconfig.toml');
    if (!existsSync(file)) continue;
    const defaults = readFileSync(file, 'utf8')
      .split(/^\[/m)
      .filter((section) => section.startsWith('default.'));
    for (const section of defaults) {
      const m = /^stack_name\s*=\s*"([^"]+)"/m.exec(section);
      if (m) return m[1]!;
    }
  }
  return DEFAULT_STACK.stackName;
}

/** Endpoint names (outputs.json, summary) → URLs, from each service's declaration. */
function endpointsOf(template: ResolvedTemplate, urls: Record<string, string>): Record<string, string> {
  const endpoints: Record<string, string> = {};
  for (const s of SERVICES) if (s.endpoints && urls[s.name]) Object.assign(endpoints, s.endpoints(urls[s.name]!, template));
  return endpoints;
}

/** The template's outputs (cloud URLs localized by the resolver), the endpoints and the services' own outputs. */
function outputsOf(template: ResolvedTemplate, endpoints: Record<string, string>, region: string): Record<string, string> {
  const outputs: Record<string, string> = { ...template.outputs, ...endpoints, Region: region };
  for (const s of SERVICES) Object.assign(outputs, s.outputs?.(template));
  return outputs;
}

type BaseContext = Omit<ServiceContext, 'port' | 'phase'>;

/** The started services, stopped in reverse order. */
class Services {
  readonly started: StartedService[] = [];
  private host?: FunctionHost;

  constructor(private readonly log: Log) {}

  /** Every service's invoke goes to the host a service provides (the Lambda module). */
  readonly functions: FunctionHost = {
    invoke: (id, event, opts) =>
      this.host
        ? this.host.invoke(id, event, opts)
        : Promise.resolve({ ok: false, error: { errorType: 'ServiceException', errorMessage: 'the functions are not started yet' } }),
    functionId: (name) => this.host?.functionId(name),
  };

  private async startOne(
    s: ServiceModule,
    base: BaseContext,
    ports: Record<string, number>,
    phase: (name: string) => void,
  ): Promise<StartedService | undefined> {
    if (!s.start) return undefined;
    const svc = await s.start({ ...base, port: ports[s.name] ?? 0, phase });
    phase(s.name);
    return svc;
  }

  /** Group by group; a failure stops what started (in that group too) and is rethrown. */
  async startAll(base: BaseContext, ports: Record<string, number>, phase: (name: string) => void): Promise<void> {
    for (const group of SERVICE_GROUPS) {
      // allSettled: a fast failure (a build error) must not leave a slower starter (the JVM)
      // running unregistered; every stopper is in place before the error propagates.
      const settled = await Promise.allSettled(group.map((s) => this.startOne(s, base, ports, phase)));
      for (const r of settled) {
        if (r.status !== 'fulfilled' || !r.value) continue;
        this.started.push(r.value);
        this.host ??= r.value.functions;
      }
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    for (const s of this.started) s.allStarted?.();
  }

  async stopAll(): Promise<void> {
    for (const s of this.started.splice(0).reverse()) await s.stop().catch((e: Error) => this.log('runtime', `stop: ${e.message}`));
  }
}

/** A port taken between choosing it and binding it. */
const isPortTaken = (e: unknown): boolean =>
  (e as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ||
  /EADDRINUSE|address already in use/i.test(String((e as Error)?.message));

export async function startRuntime(o: StartOptions): Promise<LocalRuntime> {
  const log = o.log ?? ((s: string, m: string) => console.log(`[${s}] ${m}`));
  // With --ports auto, a port seen free can be taken by another process (a parallel test run)
  // before its service binds it: what started is stopped, and the start tried again on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(o, log);
    } catch (e) {
      if (!o.autoPorts || attempt >= 3 || !isPortTaken(e)) throw e;
      log('runtime', `${(e as Error).message}: a port chosen free was taken before it was bound; starting again on other ports`);
    }
  }
}

async function startOnce(o: StartOptions, log: Log): Promise<LocalRuntime> {
  const t0 = Date.now();
  const phases: Record<string, number> = {};
  const phase = (name: string) => void (phases[name] ??= Date.now() - t0);
  const stateDir = resolve(o.rootDir, o.stateDir ?? '.local');
  const templatePath = o.templatePath ?? join(o.rootDir, 'template.yaml');
  if (!existsSync(templatePath)) throw new Error(`No template at ${templatePath}: run from the repository root or pass --template`);

  const ports = await choosePorts(o, stateDir);
  const urls = localUrls(ports);
  const stack: StackContext = {
    ...DEFAULT_STACK,
    region: o.region ?? DEFAULT_STACK.region,
    stackName: stackNameFrom(dirname(templatePath), o.rootDir),
    urls,
  };
  const template = loadStackTemplate(templatePath, { parameterOverrides: o.parameterOverrides ?? {}, ctx: stack });
  template.warnings.forEach((w) => log('template', `warning: ${w}`));

  if (o.fresh) rmSync(stateDir, { recursive: true, force: true });
  const freshState = !existsSync(join(stateDir, 'outputs.json')) || !!o.fresh;
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(join(stateDir, 'ports.json'), JSON.stringify(ports));

  const endpoints = endpointsOf(template, urls);
  const outputs = outputsOf(template, endpoints, stack.region);
  const services = new Services(log);
  const base: BaseContext = {
    ...stack,
    template,
    outputs,
    endpoints,
    awsEnv: localAwsEnv(stack.region, urls),
    rootDir: o.rootDir,
    templateDir: dirname(templatePath),
    stateDir,
    freshState,
    options: o,
    functions: services.functions,
    logs: new LogBus(),
    log,
  };
  for (const s of SERVICES) s.preload?.();
  try {
    await services.startAll(base, ports, phase);
  } catch (e) {
    await services.stopAll();
    throw e;
  }
  writeFileSync(join(stateDir, 'outputs.json'), JSON.stringify(outputs, null, 2) + '\n');
  const described = services.started.flatMap((s) => s.describe?.() ?? []);
  const summary = startupSummary({
    template,
    parameterOverrides: o.parameterOverrides ?? {},
    endpoints,
    described,
    catalog: CATALOG,
    verbose: !!o.verbose,
  });
  return { template, stateDir, endpoints, outputs, readyMs: Date.now() - t0, phases, summary, stop: () => services.stopAll() };
}

export function readOutputs(stateDir: string): Record<string, string> | undefined {
  const p = join(stateDir, 'outputs.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')) as Record<string, string>) : undefined;
}
