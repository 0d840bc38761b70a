/**
 * The one contract between the local runtime's core and every emulated service
 * (docs/ARCHITECTURE.md section 6; local/README.md "Adding a service").
 *
 * A service is a `ServiceModule`: what it owns in the template (resource kinds, with their
 * physical ids, ARNs and GetAtt values), where SDKs find it (its port, its
 * `AWS_ENDPOINT_URL_*` variables, its endpoint names in outputs.json) and how it starts.
 * Every module is listed once, in `registry.ts`; the core knows no service by name.
 */
import type { LogBus } from './log-bus';
import type { Json, JsonObject, ResolvedTemplate } from './template';

export type Log = (source: string, message: string) => void;

/** What names and ARNs are made of: the stack, and where each listening service is. */
export interface StackContext {
  region: string;
  accountId: string;
  stackName: string;
  /** Local base URL of each listening service, by module name (`sqs` → http://127.0.0.1:9324). */
  urls: Readonly<Record<string, string>>;
}

/** A template resource while names are being resolved. */
export interface ResourceRef {
  logicalId: string;
  type: string;
  /** One property, resolved on demand (e.g. `QueueName: !Sub ${AWS::StackName}-dlq`). */
  prop(name: string): Json | undefined;
}

/** A template resource whose physical id (what `Ref` returns) is known. */
export interface NamedResource extends ResourceRef {
  ref: string;
}

/** One or more CloudFormation / SAM resource types a module answers for. */
export interface ResourceKind {
  /** Resource types; a trailing `*` matches a prefix (`Custom::*`). */
  types: readonly string[];
  /** What `Ref` returns (default `<stack>-<LogicalId>`; `declaredName()` reads a name property such as QueueName). */
  physicalId?(r: ResourceRef, ctx: StackContext): string;
  /** Its ARN (`GetAtt X.Arn`, `template.arns`). */
  arn?(r: NamedResource, ctx: StackContext): string;
  /** Other attributes; undefined = no local value (a warning at start). */
  getAtt?(attr: string, r: NamedResource, ctx: StackContext): string | undefined;
  /** Further names `Ref` accepts for this resource (SAM's `Function.Alias`). */
  references?(r: NamedResource, ctx: StackContext): Record<string, string>;
  /** Declared, but without local behaviour: grouped in the start-up summary. */
  notEmulated?: { label: string; note: string };
  /** Properties of a resource that have no local effect (X-Ray tracing, ...), for the summary. */
  features?(properties: JsonObject): string[];
}

/** What the template resolver asks of the registry (template/ knows no service itself). */
export interface ResourceCatalog {
  kindOf(type: string): ResourceKind | undefined;
  /** A template string with cloud URLs rewritten to local endpoints (Cognito's issuer and hosted UI domain, the CloudFront URL). */
  localize(value: string, ctx: StackContext): string;
}

export interface InvokeResult {
  ok: boolean;
  payload?: unknown;
  error?: { errorType: string; errorMessage: string; trace?: string[] };
}

/** Runs the template's functions (provided by the Lambda module, used by every other service). */
export interface FunctionHost {
  invoke(logicalId: string, event: unknown, opts?: { async?: boolean }): Promise<InvokeResult>;
  /** Logical id from a logical id, function name, ARN or qualified ARN (alias); undefined if none. */
  functionId(nameOrArn: string): string | undefined;
}

/** `npm start` options the services read. */
export interface RuntimeOptions {
  watch?: boolean;
  inMemoryDb?: boolean;
  /** Delete items past their TTL attribute (default true). */
  ttlSweep?: boolean;
  /** AWS_ENDPOINT_URL_DYNAMODB for function processes only (e.g. the bench's counting proxy). */
  functionsDynamoDBEndpoint?: string;
  /** Processes per function at most (default 4). */
  functionConcurrency?: number;
  /**
   * SAM CLI's `--warm-containers`: EAGER starts a process for every function at start; LAZY
   * (the default) starts them on first use. Provisioned concurrency starts either way.
   */
  warmContainers?: 'EAGER' | 'LAZY';
  /**
   * Powertools Tracer (X-Ray) in the function processes, as deployed. Off by default: nothing
   * receives traces locally, and its instrumentation costs every call (see the Lambda module).
   */
  tracing?: boolean;
  /** Write a V8 CPU profile of every function process into this folder (`node --cpu-prof`), when it exits. */
  cpuProfileDir?: string;
}

/** What a service gets when it starts. */
export interface ServiceContext extends StackContext {
  /** The resolved template: resources, physical ids (`refs`), ARNs (`arns`). */
  template: ResolvedTemplate;
  /** The stack's outputs as outputs.json holds them (template outputs + local endpoints). */
  outputs: Readonly<Record<string, string>>;
  /** Local endpoints by output name (`SQSEndpoint`, `APIEndpoint`, ...), all known before any service starts. */
  endpoints: Readonly<Record<string, string>>;
  /** The environment that points SDKs at the local endpoints (region, credentials, AWS_ENDPOINT_URL_*). */
  awsEnv: Readonly<Record<string, string>>;
  /** This service's port (0: any free one). */
  port: number;
  rootDir: string;
  /** The template's folder (CodeUri, DefinitionUri are relative to it). */
  templateDir: string;
  /** The runtime's state dir; a service keeps its files under `<stateDir>/<name>/`. */
  stateDir: string;
  /** True when the state dir was empty (or `--fresh`): a stack create. */
  freshState: boolean;
  options: RuntimeOptions;
  functions: FunctionHost;
  /** Every log line with its log group and stream: function output (function, request id) and API access logs. */
  logs: LogBus;
  log: Log;
  /** Marks the end of a named start-up phase (printed on the `startup:` line). */
  phase(name: string): void;
}

export interface StartedService {
  url?: string;
  /** Lines for the start-up summary (routes, rules, queues, ...). */
  describe?(): string[];
  stop(): Promise<void>;
  /** The function host, when this service runs the functions (the Lambda module). */
  functions?: FunctionHost;
  /** Called once every service is up (Lambda then resumes its queued async invocations). */
  allStarted?(): void;
}

export interface ServiceModule {
  /** Its log source, state folder, start-up phase and, if it listens, its port's name (`--<name>-port`). */
  name: string;
  /** Default port, if it listens. */
  port?: number;
  /** The SDK's variables for its endpoint (AWS_ENDPOINT_URL_SQS); they get its URL. */
  endpointEnv?: readonly string[];
  /** Its endpoint names in outputs.json and the summary (SQSEndpoint → its URL). */
  endpoints?(url: string, template: ResolvedTemplate): Record<string, string>;
  /** Other outputs.json entries it defines (UserPoolId). */
  outputs?(template: ResolvedTemplate): Record<string, string>;
  kinds?: readonly ResourceKind[];
  /** Rewrites its cloud URLs in a template string to local ones; undefined = none of its URLs. */
  localize?: (value: string, ctx: StackContext) => string | undefined;
  /** Loads heavy code early, while the JVM starts. */
  preload?(): void;
  start?(ctx: ServiceContext): Promise<StartedService>;
}
