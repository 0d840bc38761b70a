/**
 * Local Step Functions: the template's state machines run by aws-local-stepfunctions (the
 * real ASL), their Task states calling the local functions, behind an HTTP endpoint that
 * speaks the Step Functions JSON protocol (so @aws-sdk/client-sfn and `aws stepfunctions
 * --endpoint-url` work). Executions persist under the state dir; one left RUNNING by a
 * stop is started again from the beginning on the next start (the order workflow's
 * steps are conditional transitions, so re-running them is safe).
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  functionLogicalId,
  readBody,
  boundedWait,
  resourcesOf,
  type ServiceRuntime,
} from './stepfunctions-seam';
import { closeServer } from '../ports';

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

export class SfnError extends Error {
  constructor(
    public readonly code: string,
    message: string,
    public readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * Reads the executions journal (last line per execution wins; a line cut short by a crash
 * is skipped), or the single-file layout of earlier versions, then compacts the journal to
 * one line per execution.
 */
export function loadJournal(file: string, legacyFile?: string): Map<string, ExecutionRecord> {
  const executions = new Map<string, ExecutionRecord>();
  if (legacyFile && existsSync(legacyFile)) {
    for (const e of JSON.parse(readFileSync(legacyFile, 'utf8')) as ExecutionRecord[]) executions.set(e.executionArn, e);
  }
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as ExecutionRecord;
        executions.set(e.executionArn, e);
      } catch {
        /* a partial last line from a crash: the execution's earlier line stands */
      }
    }
  }
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, [...executions.values()].map((e) => `${JSON.stringify(e)}\n`).join(''));
  renameSync(tmp, file);
  if (legacyFile && existsSync(legacyFile)) rmSync(legacyFile);
  return executions;
}

/** `${Key}` placeholders replaced by the resolved DefinitionSubstitutions (text, as CloudFormation does). */
export function substitute(text: string, subs: Record<string, unknown>): string {
  return text.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, key: string) => (key in subs ? String(subs[key]) : whole));
}

export function loadStateMachines(
  template: unknown,
  opts: { baseDir: string; stackName: string; region?: string; accountId?: string },
): StateMachineInfo[] {
  // The same region and account as the core's Ref/GetAtt, so ORDER_STATE_MACHINE_ARN matches.
  const region = opts.region ?? LOCAL_REGION;
  const account = opts.accountId ?? LOCAL_ACCOUNT;
  const out: StateMachineInfo[] = [];
  for (const [logicalId, res] of Object.entries(resourcesOf(template))) {
    const p = res.Properties ?? {};
    let text: string | undefined;
    if (res.Type === 'AWS::Serverless::StateMachine') {
      if (typeof p.DefinitionUri === 'string') text = readFileSync(resolve(opts.baseDir, p.DefinitionUri), 'utf8');
      else if (p.Definition) text = JSON.stringify(p.Definition);
    } else if (res.Type === 'AWS::StepFunctions::StateMachine') {
      if (typeof p.DefinitionString === 'string') text = p.DefinitionString;
      else if (p.Definition) text = JSON.stringify(p.Definition);
    } else continue;
    if (!text) throw new Error(`State machine ${logicalId}: no definition the local runtime can read (DefinitionUri as an S3 location is not supported locally)`);
    const subs = (p.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    const definitionText = substitute(text, subs);
    const name = typeof p.Name === 'string' ? p.Name : typeof p.StateMachineName === 'string' ? p.StateMachineName : `${opts.stackName}-${logicalId}`;
    out.push({
      logicalId,
      name,
      arn: `arn:aws:states:${region}:${account}:stateMachine:${name}`,
      definition: JSON.parse(definitionText) as AslDefinition,
      definitionText,
      roleArn: `arn:aws:iam::${account}:role/${name}-role`,
      creationDate: Date.now() / 1000,
    });
  }
  return out;
}

const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export interface StepFunctionsOptions {
  port?: number;
  host?: string;
  baseDir?: string;
  stackName?: string;
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

export async function startStepFunctions(rt: ServiceRuntime, options: number | StepFunctionsOptions = {}): Promise<StepFunctionsService> {
  const opts: StepFunctionsOptions = typeof options === 'number' ? { port: options } : options;
  const { StateMachine } = await import('aws-local-stepfunctions');
  const machines = loadStateMachines(rt.template, { baseDir: opts.baseDir ?? rt.rootDir ?? process.cwd(), stackName: opts.stackName ?? rt.stackName ?? 'myapp', region: rt.region, accountId: rt.accountId });
  const dir = join(rt.stateDir, 'stepfunctions');
  mkdirSync(dir, { recursive: true });
  // An append-only journal: one line per execution start, stop and end (the last line of
  // an execution wins). Rewriting every execution on every step made each step O(all
  // executions): at a thousand orders the runtime spent its time serialising JSON.
  const file = join(dir, 'executions.jsonl');
  const executions = loadJournal(file, join(dir, 'executions.json'));
  const running = new Map<string, { abort: () => void; done: Promise<void> }>();
  let stopping = false;

  const persist = (exec: ExecutionRecord): void => appendFileSync(file, `${JSON.stringify(exec)}\n`);

  const findMachine = (arnOrName: string): StateMachineInfo => {
    const m = machines.find((s) => s.arn === arnOrName || s.name === arnOrName || arnOrName.endsWith(`:${s.name}`) || s.logicalId === arnOrName);
    if (!m) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arnOrName}'`);
    return m;
  };

  const addEvent = (exec: ExecutionRecord, type: string, details: Record<string, unknown> = {}): number => {
    const id = exec.events.length + 1;
    exec.events.push({ timestamp: Date.now() / 1000, type, id, previousEventId: id - 1, ...details });
    return id;
  };

  /** Task handlers by state name: lambda:invoke states call the function by logical id. */
  const taskHandlers = (machine: StateMachineInfo, exec: ExecutionRecord) => {
    const handlers: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, state] of Object.entries(machine.definition.States)) {
      if (state.Type !== 'Task' || !state.Resource) continue;
      const optimized = state.Resource.startsWith('arn:aws:states:::lambda:invoke');
      handlers[stateName] = async (input: Json) => {
        const params = (input ?? {}) as Record<string, Json>;
        const target = optimized ? String(params.FunctionName ?? '') : state.Resource!;
        const payload = optimized ? (params.Payload ?? {}) : input;
        const logicalId = functionLogicalId(rt.template, target);
        const resource = optimized ? { resourceType: 'lambda', resource: 'invoke' } : { resourceType: 'lambda', resource: target };
        addEvent(exec, 'TaskScheduled', { taskScheduledEventDetails: { ...resource, region: LOCAL_REGION, parameters: JSON.stringify(input) } });
        addEvent(exec, 'TaskStarted', { taskStartedEventDetails: resource });
        if (!logicalId) {
          const err = new SfnError('Lambda.ResourceNotFoundException', `Function not found: ${target}`);
          addEvent(exec, 'TaskFailed', { taskFailedEventDetails: { ...resource, error: err.name, cause: err.message } });
          throw err;
        }
        const res = await rt.invoke(logicalId, payload);
        if (!res.ok) {
          // Lambda reports the function's errorType as the Error that Retry/Catch match on,
          // and its error object as the Cause.
          const errorType = res.error?.errorType ?? 'Lambda.Unknown';
          const cause = JSON.stringify({ errorType, errorMessage: res.error?.errorMessage ?? '' });
          addEvent(exec, 'TaskFailed', { taskFailedEventDetails: { ...resource, error: errorType, cause } });
          const err = new Error(cause);
          err.name = errorType;
          throw err;
        }
        const result = (optimized
          ? { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: (res.payload ?? null) as Json, SdkHttpMetadata: { HttpStatusCode: 200 } }
          : ((res.payload ?? null) as Json)) as Json;
        // Progress is not journalled: an execution cut by a stop re-runs from the start.
        addEvent(exec, 'TaskSucceeded', { taskSucceededEventDetails: { ...resource, output: JSON.stringify(result) } });
        return result;
      };
    }
    return handlers;
  };

  // Validate each definition once, at start (asl-validator costs ~130 ms of CPU, which per
  // execution stalled the whole runtime); executions then share an unvalidated instance.
  const instances = new Map<string, InstanceType<typeof StateMachine>>();
  for (const m of machines) {
    new StateMachine(m.definition as never, { validationOptions: { checkArn: false, checkPaths: true } });
    instances.set(m.arn, new StateMachine(m.definition as never, { validationOptions: { noValidate: true } }));
  }

  const run = (machine: StateMachineInfo, exec: ExecutionRecord): void => {
    const sm = instances.get(machine.arn)!;
    const input = JSON.parse(exec.input) as Json;
    const retryIntervalOverrides: Record<string, number> = {};
    if (opts.retryIntervalMs !== undefined) {
      for (const s of Object.keys(machine.definition.States)) retryIntervalOverrides[s] = opts.retryIntervalMs;
    }
    const handle = sm.run(input as never, {
      overrides: { taskResourceLocalHandlers: taskHandlers(machine, exec) as never, retryIntervalOverrides },
      noThrowOnAbort: true,
      context: {
        Execution: { Id: exec.executionArn, Name: exec.name, Input: input, StartTime: new Date(exec.startDate * 1000).toISOString(), RoleArn: machine.roleArn },
        StateMachine: { Id: machine.arn, Name: machine.name },
      } as never,
    });
    const types = new Map(Object.entries(machine.definition.States).map(([n, s]) => [n, s.Type]));
    const logs = (async () => {
      for await (const ev of handle.eventLogs) {
        const e = ev as { type: string; state?: { name: string; input?: unknown; output?: unknown } };
        if (e.type === 'StateEntered' && e.state) {
          addEvent(exec, `${types.get(e.state.name) ?? ''}StateEntered`, { stateEnteredEventDetails: { name: e.state.name, input: JSON.stringify(e.state.input ?? null) } });
        } else if (e.type === 'StateExited' && e.state) {
          addEvent(exec, `${types.get(e.state.name) ?? ''}StateExited`, { stateExitedEventDetails: { name: e.state.name, output: JSON.stringify(e.state.output ?? null) } });
        }
      }
    })().catch(() => undefined);
    const done = (async () => {
      try {
        const output = await handle.result;
        await logs;
        if (stopping) return; // left RUNNING on disk: resumed on the next start
        if (exec.status !== 'RUNNING') return; // stopped by StopExecution
        exec.status = 'SUCCEEDED';
        exec.output = JSON.stringify(output);
        addEvent(exec, 'ExecutionSucceeded', { executionSucceededEventDetails: { output: exec.output } });
      } catch (err) {
        await logs;
        if (stopping || exec.status !== 'RUNNING') return;
        const cause = (err as { cause?: { name?: string; message?: string } }).cause;
        exec.status = (err as Error).name === 'ExecutionTimeoutError' ? 'TIMED_OUT' : 'FAILED';
        exec.error = cause?.name ?? (err as Error).name;
        exec.cause = cause?.message ?? (err as Error).message;
        addEvent(exec, 'ExecutionFailed', { executionFailedEventDetails: { error: exec.error, cause: exec.cause } });
        rt.log('stepfunctions', `${exec.name} FAILED: ${exec.error}`);
      } finally {
        if (!stopping) {
          exec.stopDate ??= Date.now() / 1000;
          persist(exec);
          rt.log('stepfunctions', `${machine.name} ${exec.name} ${exec.status}`);
        }
        running.delete(exec.executionArn);
      }
    })();
    running.set(exec.executionArn, { abort: handle.abort, done });
  };

  const startExecution = async (stateMachineArn: string, input: unknown, name?: string): Promise<ExecutionRecord> => {
    const machine = findMachine(stateMachineArn);
    const execName = name ?? randomUUID();
    if (!EXECUTION_NAME.test(execName)) throw new SfnError('InvalidName', `Invalid Name: '${execName}'`);
    const inputText = typeof input === 'string' ? input : JSON.stringify(input ?? {});
    try {
      JSON.parse(inputText);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${execName}`;
    const existing = executions.get(executionArn);
    if (existing) {
      // As in AWS: the same name and input returns the existing execution (idempotent);
      // a different input, or a name whose execution has ended, is refused.
      if (existing.status === 'RUNNING' && existing.input === inputText) return existing;
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const exec: ExecutionRecord = { executionArn, stateMachineArn: machine.arn, name: execName, status: 'RUNNING', input: inputText, startDate: Date.now() / 1000, events: [] };
    executions.set(executionArn, exec);
    addEvent(exec, 'ExecutionStarted', { executionStartedEventDetails: { input: inputText, roleArn: machine.roleArn } });
    persist(exec); // before StartExecution answers: an acknowledged execution survives a stop
    run(machine, exec);
    return exec;
  };

  const getExec = (arn: unknown): ExecutionRecord => {
    const e = typeof arn === 'string' ? executions.get(arn) : undefined;
    if (!e) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return e;
  };

  const describeExec = (e: ExecutionRecord) => ({
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
  });

  const ops: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution: async (b) => {
      const e = await startExecution(String(b.stateMachineArn ?? ''), b.input ?? '{}', typeof b.name === 'string' ? b.name : undefined);
      return { executionArn: e.executionArn, startDate: e.startDate };
    },
    DescribeExecution: (b) => describeExec(getExec(b.executionArn)),
    ListExecutions: (b) => {
      const m = findMachine(String(b.stateMachineArn ?? ''));
      const list = [...executions.values()]
        .filter((e) => e.stateMachineArn === m.arn && (!b.statusFilter || e.status === b.statusFilter))
        .sort((a, c) => c.startDate - a.startDate);
      const start = b.nextToken ? Number(b.nextToken) : 0;
      const max = Math.min(Number(b.maxResults) || 100, 1000);
      const page = list.slice(start, start + max).map((e) => ({ executionArn: e.executionArn, stateMachineArn: e.stateMachineArn, name: e.name, status: e.status, startDate: e.startDate, ...(e.stopDate ? { stopDate: e.stopDate } : {}) }));
      return { executions: page, ...(start + max < list.length ? { nextToken: String(start + max) } : {}) };
    },
    GetExecutionHistory: (b) => {
      const e = getExec(b.executionArn);
      const events = b.reverseOrder ? [...e.events].reverse() : e.events;
      const start = b.nextToken ? Number(b.nextToken) : 0;
      const max = Math.min(Number(b.maxResults) || 1000, 1000);
      return { events: events.slice(start, start + max), ...(start + max < events.length ? { nextToken: String(start + max) } : {}) };
    },
    StopExecution: (b) => {
      const e = getExec(b.executionArn);
      if (e.status === 'RUNNING') {
        e.status = 'ABORTED';
        e.stopDate = Date.now() / 1000;
        if (typeof b.error === 'string') e.error = b.error;
        if (typeof b.cause === 'string') e.cause = b.cause;
        addEvent(e, 'ExecutionAborted', { executionAbortedEventDetails: { error: e.error, cause: e.cause } });
        running.get(e.executionArn)?.abort();
        persist(e);
      }
      return { stopDate: e.stopDate };
    },
    ListStateMachines: () => ({
      stateMachines: machines.map((m) => ({ stateMachineArn: m.arn, name: m.name, type: 'STANDARD', creationDate: m.creationDate })),
    }),
    DescribeStateMachine: (b) => {
      const m = findMachine(String(b.stateMachineArn ?? ''));
      return { stateMachineArn: m.arn, name: m.name, status: 'ACTIVE', definition: m.definitionText, roleArn: m.roleArn, type: 'STANDARD', creationDate: m.creationDate };
    },
  };

  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
        const handler = ops[op];
        if (req.method !== 'POST' || !handler) throw new SfnError('UnknownOperationException', `Unsupported operation '${target}'`);
        const text = await readBody(req);
        const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
        send(res, 200, await handler(body));
      } catch (err) {
        const e = err instanceof SfnError ? err : new SfnError('InternalFailure', (err as Error).message, 500);
        send(res, e.status, { __type: `com.amazonaws.swf.service.v2.model#${e.code}`, message: e.message });
      }
    })();
  });
  await new Promise<void>((r) => server.listen(opts.port ?? 8083, opts.host ?? '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // Resume executions a previous stop left RUNNING: from the start, as a new attempt.
  for (const exec of executions.values()) {
    if (exec.status !== 'RUNNING') continue;
    const machine = machines.find((m) => m.arn === exec.stateMachineArn);
    if (!machine) continue;
    exec.restarts = (exec.restarts ?? 0) + 1;
    exec.events = exec.events.filter((e) => e.type === 'ExecutionStarted');
    rt.log('stepfunctions', `resuming ${exec.name} (left RUNNING by the last stop)`);
    run(machine, exec);
  }

  return {
    name: 'stepfunctions',
    url,
    stateMachines: machines,
    describe: () => machines.map((m) => `state machine ${m.logicalId} (${m.arn})`),
    startExecution,
    execution: (arn) => executions.get(arn),
    idle: async (timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (running.size > 0 && Date.now() < deadline) {
        await boundedWait(Promise.all([...running.values()].map((r) => r.done)), 100);
      }
    },
    stop: async () => {
      stopping = true;
      // Executions in flight stay RUNNING on disk so the next start resumes them.
      for (const r of running.values()) r.abort();
      await boundedWait(Promise.all([...running.values()].map((r) => r.done)), 2000);
      await closeServer(server);
    },
  };
}
