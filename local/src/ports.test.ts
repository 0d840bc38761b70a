/** freePort for `--ports auto`: below the OS's ephemeral range, bindable, never one already chosen. */
import { createServer } from 'node:net';
import { freePort } from './ports';

afterEach(() => jest.restoreAllMocks());

it('picks a bindable port below the ephemeral range, where outgoing connections never take it', async () => {
  const port = await freePort();
  expect(port).toBeGreaterThanOrEqual(20_000);
  expect(port).toBeLessThanOrEqual(32_767);
  const srv = createServer();
  await new Promise<void>((ok, fail) => srv.once('error', fail).listen(port, '127.0.0.1', () => ok()));
  await new Promise<void>((ok) => srv.close(() => ok()));
});

it('skips a port chosen already and one another process holds', async () => {
  const heldPort = await freePort();
  const held = createServer();
  await new Promise<void>((ok, fail) => held.once('error', fail).listen(heldPort, '127.0.0.1', () => ok()));
  const avoided = heldPort === 25_000 ? 25_001 : 25_000;
  // Math.random's draws: the avoided port, then the held one, then anything.
  const at = (p: number) => (p - 20_000 + 0.5) / (32_767 - 20_000 + 1);
  const draws = [at(avoided), at(heldPort)];
  const random = jest.spyOn(Math, 'random').mockImplementation(() => draws.shift() ?? 0.37);
  try {
    const port = await freePort([avoided]);
    expect(random.mock.calls.length).toBeGreaterThanOrEqual(3); // two refused draws, then one that binds
    expect([avoided, heldPort]).not.toContain(port);
  } finally {
    await new Promise<void>((ok) => held.close(() => ok()));
  }
});
