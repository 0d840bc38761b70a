/**
 * `--ports auto` picks free ports before the services bind them; another process (a parallel
 * test run) can take one in between. The start must then begin again on other ports, not fail.
 * Here the port picked for SQS is held by a listener of the test, for sure.
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
const ports = require('./ports') as { freePort: jest.Mock<Promise<number>, []> };

const ROOT = resolve(__dirname, '..', '..');
let blocker: Server;
let rt: LocalRuntime | undefined;
const stateDir = mkdtempSync(join(tmpdir(), 'myapp-ports-'));

afterAll(async () => {
  await rt?.stop();
  await new Promise((ok) => blocker?.close(ok));
  rmSync(stateDir, { recursive: true, force: true });
});

it('starts again on other ports when a port chosen free is taken before its service binds it', async () => {
  blocker = createServer();
  const taken = await new Promise<number>((ok) => blocker.listen(0, '127.0.0.1', () => ok((blocker.address() as { port: number }).port)));
  // The first choice for SQS (choosePorts asks in DEFAULT_PORTS order) is the port the blocker holds.
  const sqsCall = Object.keys(DEFAULT_PORTS).indexOf('sqs');
  expect(sqsCall).toBeGreaterThanOrEqual(0);
  const real = jest.requireActual<typeof import('./ports')>('./ports').freePort;
  let calls = 0;
  ports.freePort.mockImplementation(() => (calls++ === sqsCall ? Promise.resolve(taken) : real()));
  const lines: string[] = [];
  rt = await startRuntime({
    rootDir: ROOT,
    templatePath: join(ROOT, 'tests/integration/fixtures/one-queue.yaml'),
    stateDir,
    autoPorts: true,
    fresh: true,
    watch: false,
    log: (source, message) => lines.push(`[${source}] ${message}`),
  });
  expect(lines.some((l) => l.startsWith('[runtime]') && l.includes('starting again on other ports'))).toBe(true);
  const chosen = JSON.parse(readFileSync(join(stateDir, 'ports.json'), 'utf8')) as Record<string, number>;
  expect(chosen.sqs).not.toBe(taken);
  // The queue answers on the port the runtime settled on.
  const res = await fetch(`http://127.0.0.1:${chosen.sqs}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.ListQueues' },
    body: '{}',
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { QueueUrls: string[] }).QueueUrls.some((u) => u.endsWith('-inbox'))).toBe(true);
}, 120_000);
