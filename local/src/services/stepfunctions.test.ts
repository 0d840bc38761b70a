/**
 * The real order workflow ASL run by the local Step Functions service, driven through
 * @aws-sdk/client-sfn on a free port. The functions are scripted fakes behind the runtime
 * seam, so each path (happy, decline, flaky, moved-on order) is exercised in isolation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type DescribeExecutionCommandOutput,
} from '@aws-sdk/client-sfn';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadJournal, startStepFunctions, type StepFunctionsService } from './stepfunctions';
import type { JsonObject } from '../template';
import type { InvokeResult } from '../contract';
import { serviceContext } from '../../test/service-context';

// asl-validator ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validate = require('asl-validator') as (definition: object) => { isValid: boolean; errors: unknown[] };

const TASKS = [
  'ValidateOrder',
  'ReserveInventory',
  'ProcessPayment',
  'ConfirmOrder',
  'SendNotification',
  'ReleaseInventory',
  'RefundPayment',
  'MarkOrderFailed',
];
const fnArn = (id: string) => `arn:aws:lambda:us-east-1:123456789012:function:myapp-${id}`;

function template(holdSeconds: number) {
  const Resources: Record<string, unknown> = {};
  const subs: Record<string, unknown> = { OrderHoldSeconds: holdSeconds };
  for (const t of TASKS) {
    Resources[`${t}Function`] = { Type: 'AWS::Serverless::Function', Properties: { Handler: 'handler.handler' } };
    subs[`${t}FunctionArn`] = fnArn(`${t}Function`);
  }
  Resources.OrderWorkflow = {
    Type: 'AWS::Serverless::StateMachine',
    Properties: { DefinitionUri: 'statemachine/order-workflow.asl.json', DefinitionSubstitutions: subs },
  };
  return { Resources } as JsonObject;
}

type Script = (fn: string, payload: Record<string, unknown>) => InvokeResult;

describe('order-workflow.asl.json', () => {
  it('is valid ASL', () => {
    const asl = JSON.parse(readFileSync('statemachine/order-workflow.asl.json', 'utf8')) as object;
    const { isValid, errors } = validate(asl);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });
});

describe('local Step Functions service', () => {
  let stateDir: string;
  let svc: StepFunctionsService;
  let sfn: SFNClient;
  let calls: Array<{ fn: string; payload: Record<string, unknown> }>;
  let script: Script;

  const rt = () =>
    serviceContext({
      template: template(0),
      stateDir,
      invoke: async (fn, event) => {
        calls.push({ fn, payload: event as Record<string, unknown> });
        return script(fn, event as Record<string, unknown>);
      },
    });
  const ok = (active = true): InvokeResult => ({ ok: true, payload: { active } });
  const fail = (errorType: string, errorMessage = 'boom'): InvokeResult => ({ ok: false, error: { errorType, errorMessage } });

  async function waitDone(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (let i = 0; i < 200; i++) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status !== 'RUNNING') return d;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('execution did not finish');
  }
  const machineArn = () => svc.stateMachines[0]!.arn;
  const called = () => calls.map((c) => c.fn.replace(/Function$/, ''));

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'sfn-'));
    calls = [];
    script = () => ok();
    svc = await startStepFunctions(rt(), { port: 0, retryIntervalMs: 1 });
    sfn = new SFNClient({ endpoint: svc.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  });
  afterEach(async () => {
    await svc.stop();
    sfn.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('lists the template state machine', async () => {
    const out = await sfn.send(new ListStateMachinesCommand({}));
    expect(out.stateMachines?.map((m) => m.name)).toEqual(['myapp-OrderWorkflow']);
  });

  it('runs the happy path in order and records an AWS-shaped history', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), name: 'o-1', input: JSON.stringify({ orderId: 'o-1', userId: 'u-1' }) }),
    );
    const d = await waitDone(executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    expect(called()).toEqual(['ValidateOrder', 'ReserveInventory', 'ProcessPayment', 'ConfirmOrder', 'SendNotification']);
    expect(calls.every((c) => c.payload.orderId === 'o-1' && c.payload.userId === 'u-1')).toBe(true);
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const types = h.events!.map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.filter((t) => t === 'TaskSucceeded')).toHaveLength(5);
    expect(h.events!.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name)).toEqual([
      'Validate',
      'ReserveInventory',
      'ProcessPayment',
      'Confirm',
      'SendNotification',
    ]);
    expect(h.events!.map((e) => e.id)).toEqual(h.events!.map((_, i) => i + 1));
  });

  it('ends cleanly at OrderNoLongerActive when a step reports the order moved on', async () => {
    script = (fn) => (fn === 'ValidateOrderFunction' ? ok(false) : ok());
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), input: JSON.stringify({ orderId: 'o-2', userId: 'u' }) }),
    );
    expect((await waitDone(executionArn!)).status).toBe('SUCCEEDED');
    expect(called()).toEqual(['ValidateOrder']);
  });

  it('retries PaymentProviderUnavailable and then succeeds', async () => {
    let attempts = 0;
    script = (fn) => (fn === 'ProcessPaymentFunction' && ++attempts === 1 ? fail('PaymentProviderUnavailable') : ok());
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), input: JSON.stringify({ orderId: 'o-3', userId: 'u' }) }),
    );
    expect((await waitDone(executionArn!)).status).toBe('SUCCEEDED');
    expect(attempts).toBe(2);
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(h.events!.filter((e) => e.type === 'TaskFailed')[0]?.taskFailedEventDetails?.error).toBe('PaymentProviderUnavailable');
  });

  it('waits out an unavailable database (ServiceUnavailable, a timed-out task) on every forward step instead of failing the order', async () => {
    const seen = new Map<string, number>();
    script = (fn) => {
      const n = (seen.get(fn) ?? 0) + 1;
      seen.set(fn, n);
      if (n === 1) return fail('ServiceUnavailable');
      if (n === 2 && fn === 'ConfirmOrderFunction') return fail('Sandbox.Timedout');
      return ok();
    };
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), input: JSON.stringify({ orderId: 'o-3b', userId: 'u' }) }),
    );
    expect((await waitDone(executionArn!)).status).toBe('SUCCEEDED');
    expect(called().filter((f) => f === 'ReleaseInventory' || f === 'MarkOrderFailed')).toEqual([]);
    expect(seen.get('ConfirmOrderFunction')).toBe(3);
  });

  it('compensates a declined payment, passes the error on, and fails the execution', async () => {
    script = (fn) => (fn === 'ProcessPaymentFunction' ? fail('PaymentDeclined', 'Payment declined for order o-4') : ok());
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), input: JSON.stringify({ orderId: 'o-4', userId: 'u' }) }),
    );
    const d = await waitDone(executionArn!);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('OrderFailed');
    expect(called()).toEqual([
      'ValidateOrder',
      'ReserveInventory',
      'ProcessPayment',
      'ReleaseInventory',
      'RefundPayment',
      'MarkOrderFailed',
    ]);
    const mark = calls.at(-1)!.payload as { error?: { Error: string; Cause: string } };
    expect(mark.error?.Error).toBe('PaymentDeclined');
    expect(JSON.parse(mark.error!.Cause)).toMatchObject({ errorType: 'PaymentDeclined', errorMessage: 'Payment declined for order o-4' });
  });

  it('makes StartExecution idempotent on name + input and refuses a different input', async () => {
    const input = JSON.stringify({ orderId: 'o-5', userId: 'u' });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn(), name: 'o-5', input }));
    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn(), name: 'o-5', input })).catch((e: Error) => e);
    // Either still running (same arn back) or already done (ExecutionAlreadyExists): never a second run.
    if (again instanceof Error) expect(again.name).toBe('ExecutionAlreadyExists');
    else expect(again.executionArn).toBe(first.executionArn);
    await waitDone(first.executionArn!);
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: machineArn(), name: 'o-5', input: '{"orderId":"x","userId":"u"}' })),
    ).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machineArn() }));
    expect(list.executions!.filter((e) => e.name === 'o-5')).toHaveLength(1);
    expect(called().filter((f) => f === 'ValidateOrder')).toHaveLength(1);
  });

  it('stops a running execution and resumes a RUNNING one after a restart', async () => {
    let hold = true;
    const blocking = async () => {
      for (let i = 0; i < 200 && hold; i++) await new Promise((r) => setTimeout(r, 10));
    };
    const base = rt();
    await svc.stop();
    svc = await startStepFunctions(
      {
        ...base,
        functions: {
          ...base.functions,
          invoke: async (fn, ev) => {
            calls.push({ fn, payload: ev as Record<string, unknown> });
            await blocking();
            return ok();
          },
        },
      },
      { port: 0, retryIntervalMs: 1 },
    );
    sfn = new SFNClient({ endpoint: svc.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const a = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), name: 'stopme', input: '{"orderId":"a","userId":"u"}' }),
    );
    const b = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: machineArn(), name: 'survivor', input: '{"orderId":"b","userId":"u"}' }),
    );
    await sfn.send(new StopExecutionCommand({ executionArn: a.executionArn }));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: a.executionArn }))).status).toBe('ABORTED');
    await svc.stop(); // "survivor" is mid-task: it stays RUNNING on disk
    hold = false;
    calls = [];
    svc = await startStepFunctions(base, { port: 0, retryIntervalMs: 1 });
    sfn = new SFNClient({ endpoint: svc.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    expect((await waitDone(b.executionArn!)).status).toBe('SUCCEEDED');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: a.executionArn }))).status).toBe('ABORTED');
    expect(calls.every((c) => c.payload.orderId === 'b')).toBe(true);
    expect(called()).toContain('SendNotification');
  });
});

describe('executions journal', () => {
  const rec = (name: string, status: string) => ({
    executionArn: `arn:x:${name}`,
    stateMachineArn: 'arn:sm',
    name,
    status,
    input: '{}',
    startDate: 1,
    events: [],
  });
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sfn-journal-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the last line of each execution, skips a line cut short by a crash, and compacts', () => {
    const file = join(dir, 'executions.jsonl');
    writeFileSync(
      file,
      [rec('a', 'RUNNING'), rec('b', 'RUNNING'), rec('a', 'SUCCEEDED')].map((r) => JSON.stringify(r)).join('\n') +
        '\n{"executionArn":"arn:x:b","stat',
    );
    const loaded = loadJournal(file);
    expect([...loaded.values()].map((e) => [e.name, e.status])).toEqual([
      ['a', 'SUCCEEDED'],
      ['b', 'RUNNING'],
    ]);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('migrates the single-file layout of earlier versions', () => {
    const legacy = join(dir, 'executions.json');
    writeFileSync(legacy, JSON.stringify([rec('old', 'SUCCEEDED')]));
    const loaded = loadJournal(join(dir, 'executions.jsonl'), legacy);
    expect(loaded.get('arn:x:old')?.status).toBe('SUCCEEDED');
    expect(existsSync(legacy)).toBe(false);
    expect(loadJournal(join(dir, 'executions.jsonl')).get('arn:x:old')?.status).toBe('SUCCEEDED');
  });
});
