/**
 * `--ports auto` picks free ports before the services bind them; another process (a parallel
 * test run) can take one in between. The start must then begin again on other ports, not fail.
 * Here the port picked for one service is held by a listener of the test, for sure.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_PORTS } from './registry';
import { startRuntime, type LocalRuntime } from './runtime';

jest.mock('./ports', () => {
  const actual = jest.requireActual<typeof import('./ports')>('./ports');
  return { ...actual, freePort: jest.fn(actual.freePort) };
});
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the mocked module, as the runtime sees it
const ports = require('./ports') as { freePort: jest.Mock<Promise<number>, [Iterable<number>?]> };

const ROOT = resolve(__dirname, '..', '..');
const real = jest.requireActual<typeof import('./ports')>('./ports').freePort;
let blocker: Server | undefined;
let rt: LocalRuntime | undefined;
let stateDir: string | undefined;

afterEach(async () => {
  await rt?.stop();
  rt = undefined;
  await new Promise((ok) => (blocker ? blocker.close(ok) : ok(undefined)));
  blocker = undefined;
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

// Every service that listens: what it set up before its port turned out taken must be undone
// (a timer or a lock left behind would keep the process alive, or refuse the second start).
// Not s3: s3rver's run() never settles when its port is taken (its listen() waits for 'listening' and
// leaves 'error' unheard), so that start would hang; local/README.md says so.
it.each(Object.keys(DEFAULT_PORTS).filter((name) => name !== 's3'))(
  'starts again on other ports when the port chosen for %s is taken before it binds it',
  async (service) => {
    stateDir = mkdtempSync(join(tmpdir(), 'myapp-ports-'));
    const holder = (blocker = createServer((socket) => socket.destroy())); // holds the port, answers nothing
    const taken = await new Promise<number>((ok) => holder.listen(0, '127.0.0.1', () => ok((holder.address() as { port: number }).port)));
    // choosePorts asks freePort in DEFAULT_PORTS order: this service's first choice is the port the blocker holds.
    const call = Object.keys(DEFAULT_PORTS).indexOf(service);
    let calls = 0;
    ports.freePort.mockImplementation((...avoid) => (calls++ === call ? Promise.resolve(taken) : real(...avoid)));
    const lines: string[] = [];
    rt = await startRuntime({
      rootDir: ROOT,
      templatePath: join(ROOT, 'tests/integration/fixtures/minimal-stack.yaml'),
      stateDir,
      autoPorts: true,
      fresh: true,
      watch: false,
      log: (source, message) => lines.push(`[${source}] ${message}`),
    });
    // The first restart is for the held port; a second one can happen when another process (a
    // parallel test suite's outgoing connection) takes a newly chosen port first: the race this handles.
    const restarts = lines.filter((l) => l.startsWith('[runtime]') && l.includes('starting again on other ports'));
    expect(restarts[0]).toContain(`:${taken}:`);
    expect(restarts.length).toBeLessThanOrEqual(2);
    const chosen = JSON.parse(readFileSync(join(stateDir, 'ports.json'), 'utf8')) as Record<string, number>;
    expect(chosen[service]).not.toBe(taken);
    // The stack works on the ports it settled on: the queue answers.
    const res = await fetch(`http://127.0.0.1:${chosen.sqs}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { QueueUrls: string[] }).QueueUrls.some((u) => u.endsWith('-inbox'))).toBe(true);
  },
  120_000,
);
