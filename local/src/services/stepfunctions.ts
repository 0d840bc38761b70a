/**
 * Step Functions: the template's state machines run by aws-local-stepfunctions (the real
 * ASL engine), their Task states calling the local functions, behind an endpoint that speaks
 * the Step Functions JSON protocol (so @aws-sdk/client-sfn and `aws stepfunctions` work):
 * StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory, StopExecution,
 * ListStateMachines, DescribeStateMachine. Executions persist under the state dir; one left
 * RUNNING by a stop is started again from the beginning on the next start (the order
 * workflow's steps are conditional transitions, so re-running them is safe).
 * Not emulated: Express workflows' semantics, service integrations other than Lambda
 * (`arn:aws:states:::lambda:invoke` and plain function ARNs), activities, Map runs'
 * distributed mode, redrive, versions and aliases, execution logging to CloudWatch, X-Ray.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import type { ResourceKind, ServiceContext, ServiceModule } from '../contract';
import { Journal } from '../journal';
import { tracing } from '../kinds';
import { closeServer, listenOrUndo } from '../ports';
import { AwsError, awsJson, awsService, stringMember, type Operations } from '../protocol';
import { declaredName, textOf } from '../template';
import { boundedWait } from '../waits';

// aws-local-stepfunctions uses Promise.withResolvers (Node 22); the dev machine runs Node 20.
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolveFn!: (v: T | PromiseLike<T>) => void;
      let rejectFn!: (e?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolveFn = res;
        rejectFn = rej;
      });
      return { promise, resolve: resolveFn, reject: rejectFn };
    },
  });
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
type AslState = { Type: string; Resource?: string; Parameters?: Record<string, unknown> };
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  [k: string]: unknown;
}

export interface StateMachineInfo {
  logicalId: string;
  name: string;
  arn: string;
  definition: AslDefinition;
  definitionText: string;
  roleArn: string;
  creationDate: number;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  events: HistoryEvent[];
  /** How many times a restart resumed it. */
  restarts?: number;
}

/**
 * Reads the executions journal (last line per execution wins; a line cut short by a crash
 * is skipped), or the single-file layout of earlier versions, then compacts the journal to
 * one line per execution.
 */
export function loadJournal(file: string, legacyFile?: string): Map<string, ExecutionRecord> {
  return loadExecutions(new Journal<ExecutionRecord>(file), legacyFile);
}

function loadExecutions(journal: Journal<ExecutionRecord>, legacyFile?: string): Map<string, ExecutionRecord> {
  const executions = new Map<string, ExecutionRecord>();
  if (legacyFile && existsSync(legacyFile)) {
    for (const e of JSON.parse(readFileSync(legacyFile, 'utf8')) as ExecutionRecord[]) executions.set(e.executionArn, e);
  }
  for (const e of journal.read()) executions.set(e.executionArn, e);
  journal.rewrite([...executions.values()]);
  if (legacyFile && existsSync(legacyFile)) rmSync(legacyFile);
  return executions;
}

/** `${Key}` placeholders replaced by the resolved DefinitionSubstitutions (text, as CloudFormation does). */
export function substitute(text: string, subs: Record<string, unknown>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => (key in subs ? String(subs[key]) : whole));
}

export class SfnError extends AwsError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, status);
  }
}

const STATE_MACHINE_TYPES = ['AWS::Serverless::StateMachine', 'AWS::StepFunctions::StateMachine'];

function definitionText(logicalId: string, type: string, p: Record<string, unknown>, baseDir: string): string {
  let text: string | undefined;
  if (type === 'AWS::Serverless::StateMachine' && typeof p.DefinitionUri === 'string')
    text = readFileSync(resolve(baseDir, p.DefinitionUri), 'utf8');
  else if (type === 'AWS::StepFunctions::StateMachine' && typeof p.DefinitionString === 'string') text = p.DefinitionString;
  else if (p.Definition) text = JSON.stringify(p.Definition);
  if (!text)
    throw new Error(
      `State machine ${logicalId}: no definition the local runtime can read (DefinitionUri as an S3 location is not supported locally)`,
    );
  return substitute(text, (p.DefinitionSubstitutions ?? {}) as Record<string, unknown>);
}

/** The template's state machines, their definitions read (relative to baseDir) and substituted. */
export function loadStateMachines(ctx: Pick<ServiceContext, 'template' | 'accountId'>, baseDir: string): StateMachineInfo[] {
  const out: StateMachineInfo[] = [];
  for (const [logicalId, res] of Object.entries(ctx.template.resources)) {
    if (!STATE_MACHINE_TYPES.includes(res.Type)) continue;
    const text = definitionText(logicalId, res.Type, res.Properties, baseDir);
    // The same ARN as the template's Ref / GetAtt, so ORDER_STATE_MACHINE_ARN matches.
    const arn = ctx.template.refs[logicalId]!;
    const name = arn.split(':').pop()!;
    out.push({
      logicalId,
      name,
      arn,
      definition: JSON.parse(text) as AslDefinition,
      definitionText: text,
      roleArn: `arn:aws:iam::${ctx.accountId}:role/${name}-role`,
      creationDate: Date.now() / 1000,
    });
  }
  return out;
}

const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export interface StepFunctionsOptions {
  port?: number;
  /** Milliseconds per retry wait, for tests (by state name, or all). */
  retryIntervalMs?: number;
}

export interface StepFunctionsService {
  name: string;
  url: string;
  stateMachines: StateMachineInfo[];
  startExecution(stateMachineArn: string, input: unknown, name?: string): Promise<ExecutionRecord>;
  describe(): string[];
  execution(executionArn: string): ExecutionRecord | undefined;
  /** Resolves when every running execution has ended (bounded). */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

type AslEngine = typeof import('aws-local-stepfunctions');
type TaskHandler = (input: Json) => Promise<Json>;

function addEvent(exec: ExecutionRecord, type: string, details: Record<string, unknown> = {}): number {
  const id = exec.events.length + 1;
  exec.events.push({ timestamp: Date.now() / 1000, type, id, previousEventId: id - 1, ...details });
  return id;
}

function describeExecution(e: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate !== undefined ? { stopDate: e.stopDate } : {}),
    input: e.input,
    inputDetails: { included: true },
    ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error !== undefined ? { error: e.error, cause: e.cause } : {}),
  };
}

/** The executions of every machine: started, run by the ASL engine, journalled, stopped. */
class Executions {
  readonly executions: Map<string, ExecutionRecord>;
  readonly running = new Map<string, { abort: () => void; done: Promise<void> }>();
  stopping = false;
  private readonly journal: Journal<ExecutionRecord>;
  private readonly instances = new Map<string, InstanceType<AslEngine['StateMachine']>>();

  constructor(
    private readonly ctx: ServiceContext,
    readonly machines: StateMachineInfo[],
    engine: AslEngine,
    private readonly retryIntervalMs?: number,
  ) {
    const dir = join(ctx.stateDir, 'stepfunctions');
    mkdirSync(dir, { recursive: true });
    // An append-only journal: one line per execution start, stop and end (the last line of
    // an execution wins). Rewriting every execution on every step made each step O(all
    // executions): at a thousand orders the runtime spent its time serialising JSON.
    this.journal = new Journal<ExecutionRecord>(join(dir, 'executions.jsonl'));
    this.executions = loadExecutions(this.journal, join(dir, 'executions.json'));
    // Validate each definition once, at start (asl-validator costs ~130 ms of CPU, which per
    // execution stalled the whole runtime); executions then share an unvalidated instance.
    for (const m of machines) {
      new engine.StateMachine(m.definition as never, { validationOptions: { checkArn: false, checkPaths: true } });
      this.instances.set(m.arn, new engine.StateMachine(m.definition as never, { validationOptions: { noValidate: true } }));
    }
  }

  persist(exec: ExecutionRecord): void {
    this.journal.append(exec);
  }

  findMachine(arnOrName: string): StateMachineInfo {
    const m = this.machines.find(
      (s) => s.arn === arnOrName || s.name === arnOrName || arnOrName.endsWith(`:${s.name}`) || s.logicalId === arnOrName,
    );
    if (!m) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arnOrName}'`);
    return m;
  }

  get(arn: unknown): ExecutionRecord {
    const e = typeof arn === 'string' ? this.executions.get(arn) : undefined;
    if (!e) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return e;
  }

  /** A Task state's handler: lambda:invoke (optimized) and plain function ARNs call the local function. */
  private taskHandler(exec: ExecutionRecord, stateResource: string): TaskHandler {
    const optimized = stateResource.startsWith('arn:aws:states:::lambda:invoke');
    return async (input: Json) => {
      const params = (input ?? {}) as Record<string, Json>;
      const target = optimized ? textOf(params.FunctionName, '', 'lambda:invoke Parameters.FunctionName') : stateResource;
      const resource = optimized ? { resourceType: 'lambda', resource: 'invoke' } : { resourceType: 'lambda', resource: target };
      addEvent(exec, 'TaskScheduled', {
        taskScheduledEventDetails: { ...resource, region: this.ctx.region, parameters: JSON.stringify(input) },
      });
      addEvent(exec, 'TaskStarted', { taskStartedEventDetails: resource });
      const logicalId = this.ctx.functions.functionId(target);
      if (!logicalId) {
        const err = new SfnError('Lambda.ResourceNotFoundException', `Function not found: ${target}`);
        addEvent(exec, 'TaskFailed', { taskFailedEventDetails: { ...resource, error: err.name, cause: err.message } });
        throw err;
      }
      const res = await this.ctx.functions.invoke(logicalId, optimized ? (params.Payload ?? {}) : input);
      if (!res.ok) {
        // Lambda reports the function's errorType as the Error that Retry/Catch match on,
        // and its error object as the Cause.
        const errorType = res.error?.errorType ?? 'Lambda.Unknown';
        const cause = JSON.stringify({ errorType, errorMessage: res.error?.errorMessage ?? '' });
        addEvent(exec, 'TaskFailed', { taskFailedEventDetails: { ...resource, error: errorType, cause } });
        throw Object.assign(new Error(cause), { name: errorType });
      }
      const payload = (res.payload ?? null) as Json;
      const result: Json = optimized
        ? { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: payload, SdkHttpMetadata: { HttpStatusCode: 200 } }
        : payload;
      // Progress is not journalled: an execution cut by a stop re-runs from the start.
      addEvent(exec, 'TaskSucceeded', { taskSucceededEventDetails: { ...resource, output: JSON.stringify(result) } });
      return result;
    };
  }

  private taskHandlers(machine: StateMachineInfo, exec: ExecutionRecord): Record<string, TaskHandler> {
    const handlers: Record<string, TaskHandler> = {};
    for (const [stateName, state] of Object.entries(machine.definition.States)) {
      if (state.Type === 'Task' && state.Resource) handlers[stateName] = this.taskHandler(exec, state.Resource);
    }
    return handlers;
  }

  /** The engine's state events as history events (TaskStateEntered, ...). */
  private async recordStates(machine: StateMachineInfo, exec: ExecutionRecord, events: AsyncIterable<unknown>): Promise<void> {
    const types = new Map(Object.entries(machine.definition.States).map(([n, s]) => [n, s.Type]));
    for await (const ev of events) {
      const e = ev as { type: string; state?: { name: string; input?: unknown; output?: unknown } };
      if (!e.state) continue;
      const type = types.get(e.state.name) ?? '';
      if (e.type === 'StateEntered')
        addEvent(exec, `${type}StateEntered`, {
          stateEnteredEventDetails: { name: e.state.name, input: JSON.stringify(e.state.input ?? null) },
        });
      else if (e.type === 'StateExited')
        addEvent(exec, `${type}StateExited`, {
          stateExitedEventDetails: { name: e.state.name, output: JSON.stringify(e.state.output ?? null) },
        });
    }
  }

  run(machine: StateMachineInfo, exec: ExecutionRecord): void {
    const input = JSON.parse(exec.input) as Json;
    const retryIntervalOverrides: Record<string, number> = {};
    if (this.retryIntervalMs !== undefined)
      for (const s of Object.keys(machine.definition.States)) retryIntervalOverrides[s] = this.retryIntervalMs;
    const handle = this.instances.get(machine.arn)!.run(input, {
      overrides: { taskResourceLocalHandlers: this.taskHandlers(machine, exec), retryIntervalOverrides },
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: exec.executionArn,
          Name: exec.name,
          Input: input,
          StartTime: new Date(exec.startDate * 1000).toISOString(),
          RoleArn: machine.roleArn,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    const states = this.recordStates(machine, exec, handle.eventLogs as AsyncIterable<unknown>).catch(() => undefined);
    const done = this.settle(machine, exec, handle.result, states);
    this.running.set(exec.executionArn, { abort: handle.abort, done });
  }

  /** Records how an execution ended (unless a stop cut it: it stays RUNNING on disk and resumes). */
  private async settle(
    machine: StateMachineInfo,
    exec: ExecutionRecord,
    result: Promise<unknown>,
    states: Promise<unknown>,
  ): Promise<void> {
    try {
      const output = await result;
      await states;
      if (this.stopping || exec.status !== 'RUNNING') return; // a stop, or StopExecution
      exec.status = 'SUCCEEDED';
      exec.output = JSON.stringify(output);
      addEvent(exec, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: exec.output } });
    } catch (err) {
      await states;
      if (this.stopping || exec.status !== 'RUNNING') return;
      const cause = (err as { cause?: { name?: string; message?: string } }).cause;
      exec.status = (err as Error).name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
      exec.error = cause?.name ?? (err as Error).name;
      exec.cause = cause?.message ?? (err as Error).message;
      addEvent(exec, 'ExecutionFailed', { executionFailedEventDetails: { error: exec.error, cause: exec.cause } });
      this.ctx.log('stepfunctions', `${exec.name} FAILED: ${exec.error}`);
    } finally {
      if (!this.stopping) {
        exec.stopDate ??= Date.now() / 1000;
        this.persist(exec);
        this.ctx.log('stepfunctions', `${machine.name} ${exec.name} ${exec.status}`);
      }
      this.running.delete(exec.executionArn);
    }
  }

  async start(stateMachineArn: string, input: unknown, name?: string): Promise<ExecutionRecord> {
    const machine = this.findMachine(stateMachineArn);
    const execName = name ?? randomUUID();
    if (!EXECUTION_NAME.test(execName)) throw new SfnError('InvalidName', `Invalid Name: '${execName}'`);
    const inputText = typeof input === 'string' ? input : JSON.stringify(input ?? {});
    try {
      JSON.parse(inputText);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${execName}`;
    const existing = this.executions.get(executionArn);
    if (existing) {
      // As in AWS: the same name and input returns the existing execution (idempotent);
      // a different input, or a name whose execution has ended, is refused.
      if (existing.status === 'RUNNING' && existing.input === inputText) return existing;
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const exec: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name: execName,
      status: 'RUNNING',
      input: inputText,
      startDate: Date.now() / 1000,
      events: [],
    };
    this.executions.set(executionArn, exec);
    addEvent(exec, 'ExecutionStarted', { executionStartedEventDetails: { input: inputText, roleArn: machine.roleArn } });
    this.persist(exec); // before StartExecution answers: an acknowledged execution survives a stop
    this.run(machine, exec);
    return exec;
  }

  stopExecution(exec: ExecutionRecord, error: unknown, cause: unknown): void {
    if (exec.status !== 'RUNNING') return;
    exec.status = 'ABORTED';
    exec.stopDate = Date.now() / 1000;
    if (typeof error === 'string') exec.error = error;
    if (typeof cause === 'string') exec.cause = cause;
    addEvent(exec, 'ExecutionAborted', { executionAbortedEventDetails: { error: exec.error, cause: exec.cause } });
    this.running.get(exec.executionArn)?.abort();
    this.persist(exec);
  }

  /** Executions a previous stop left RUNNING: again from the start, as a new attempt. */
  resume(): void {
    for (const exec of this.executions.values()) {
      if (exec.status !== 'RUNNING') continue;
      const machine = this.machines.find((m) => m.arn === exec.stateMachineArn);
      if (!machine) continue;
      exec.restarts = (exec.restarts ?? 0) + 1;
      exec.events = exec.events.filter((e) => e.type === 'ExecutionStarted');
      this.ctx.log('stepfunctions', `resuming ${exec.name} (left RUNNING by the last stop)`);
      this.run(machine, exec);
    }
  }

  async idle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline)
      await boundedWait(Promise.all([...this.running.values()].map((r) => r.done)), 100);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Executions in flight stay RUNNING on disk so the next start resumes them.
    for (const r of this.running.values()) r.abort();
    await boundedWait(Promise.all([...this.running.values()].map((r) => r.done)), 2000);
    this.journal.close();
  }
}

/** A page of a list (`nextToken` is the offset). */
function page<T>(list: T[], b: Record<string, unknown>, defaultMax: number): { items: T[]; nextToken?: string } {
  const start = b.nextToken ? Number(b.nextToken) : 0;
  const max = Math.min(Number(b.maxResults) || defaultMax, 1000);
  return { items: list.slice(start, start + max), ...(start + max < list.length ? { nextToken: String(start + max) } : {}) };
}

function operations(x: Executions): Operations {
  const summary = (e: ExecutionRecord) => ({
    executionArn: e.executionArn,
    stateMachineArn: e.stateMachineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    ...(e.stopDate ? { stopDate: e.stopDate } : {}),
  });
  return {
    StartExecution: async (b) => {
      const e = await x.start(stringMember(b, 'stateMachineArn'), b.input ?? '{}', typeof b.name === 'string' ? b.name : undefined);
      return { executionArn: e.executionArn, startDate: e.startDate };
    },
    DescribeExecution: (b) => describeExecution(x.get(b.executionArn)),
    ListExecutions: (b) => {
      const m = x.findMachine(stringMember(b, 'stateMachineArn'));
      const list = [...x.executions.values()]
        .filter((e) => e.stateMachineArn === m.arn && (!b.statusFilter || e.status === b.statusFilter))
        .sort((a, c) => c.startDate - a.startDate);
      const p = page(list, b, 100);
      return { executions: p.items.map(summary), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    GetExecutionHistory: (b) => {
      const e = x.get(b.executionArn);
      const p = page(b.reverseOrder ? [...e.events].reverse() : e.events, b, 1000);
      return { events: p.items, ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
    },
    StopExecution: (b) => {
      const e = x.get(b.executionArn);
      x.stopExecution(e, b.error, b.cause);
      return { stopDate: e.stopDate };
    },
    ListStateMachines: () => ({
      stateMachines: x.machines.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: 'STANDARD', creationDate: m.creationDate })),
    }),
    DescribeStateMachine: (b) => {
      const m = x.findMachine(stringMember(b, 'stateMachineArn'));
      return {
        stateMachineArn: m.arn,
        name: m.name,
        status: 'ACTIVE',
        definition: m.definitionText,
        roleArn: m.roleArn,
        type: 'STANDARD',
        creationDate: m.creationDate,
      };
    },
  };
}

/** Loads the ASL engine early, while DynamoDB Local's JVM starts (it takes ~0.2-0.5 s). */
const loadEngine = (): Promise<AslEngine> => import('aws-local-stepfunctions');

export async function startStepFunctions(ctx: ServiceContext, options: StepFunctionsOptions = {}): Promise<StepFunctionsService> {
  const machines = loadStateMachines(ctx, ctx.templateDir);
  const x = new Executions(ctx, machines, await loadEngine(), options.retryIntervalMs);
  const server: Server = createServer(
    awsService({
      protocol: awsJson({
        version: '1.0',
        targetPrefix: 'AWSStepFunctions',
        errorType: (code) => `com.amazonaws.swf.service.v2.model#${code}`,
      }),
      operations: operations(x),
      log: (m) => ctx.log('stepfunctions', m),
    }),
  );
  const url = `http://127.0.0.1:${await listenOrUndo(server, options.port ?? ctx.port, () => x.stop())}`;
  x.resume();
  return {
    name: 'stepfunctions',
    url,
    stateMachines: machines,
    describe: () => machines.map((m) => `state machine ${m.logicalId} (${m.arn})`),
    startExecution: (arn, input, name) => x.start(arn, input, name),
    execution: (arn) => x.executions.get(arn),
    idle: (timeoutMs = 30_000) => x.idle(timeoutMs),
    stop: async () => {
      await x.stop();
      await closeServer(server);
    },
  };
}

const stateMachineKind: ResourceKind = {
  types: STATE_MACHINE_TYPES,
  // Ref of a state machine is its ARN.
  physicalId: (r, ctx) => {
    const named = r.prop('Name') ?? r.prop('StateMachineName');
    const name = typeof named === 'string' && named ? named : declaredName(r, 'Name', ctx);
    return `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:${name}`;
  },
  arn: (r) => r.ref,
  getAtt: (attr, r) => (attr === 'Name' ? r.ref.split(':').pop() : undefined),
  features: tracing,
};

export const stepFunctionsService: ServiceModule = {
  name: 'stepfunctions',
  port: 8083,
  endpointEnv: ['AWS_ENDPOINT_URL_SFN'],
  endpoints: (url) => ({ StepFunctionsEndpoint: url }),
  kinds: [stateMachineKind],
  preload: () => void loadEngine().catch(() => undefined),
  start: (ctx) => startStepFunctions(ctx),
};
