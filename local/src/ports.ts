/** Port helpers: free-port picking for `--ports auto` and a clear "port in use" check. */
import { createServer, type Server } from 'node:net';

/**
 * Stops a server now: refuses new connections and drops the open ones. Clients keep
 * connections alive (the SDK's agents do), so close() alone would wait for them to time out.
 */
export function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((ok) => {
    if (!server) return ok();
    server.close(() => ok());
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

/** Listens on 127.0.0.1 (port 0 = any free one); resolves with the port actually bound. */
export function listenLoopback(server: Server, port: number): Promise<number> {
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      ok(typeof a === 'object' && a ? a.port : port);
    });
  });
}

/**
 * listenLoopback for a service that set things up before binding (timers, open journals):
 * when the port cannot be bound (taken since `--ports auto` chose it), `undo` stops them, so
 * the runtime's start on other ports leaves nothing of this attempt running.
 */
export async function listenOrUndo(server: Server, port: number, undo: () => unknown): Promise<number> {
  try {
    return await listenLoopback(server, port);
  } catch (e) {
    await undo();
    throw e;
  }
}

/**
 * Below every OS's ephemeral range (Linux 32768-60999, macOS and Windows 49152-65535): a port
 * chosen with listen(0) comes from that range, where the runtime's own outgoing connections
 * (its SDK clients to DynamoDB Local while later services start) also take their local ports,
 * and one of them took a chosen port before its service bound it (seen under CI load).
 */
const AUTO_PORTS = { from: 20_000, to: 32_767 };

/** True when 127.0.0.1:`port` can be listened on now. */
export function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** A free loopback port for `--ports auto`, not one of `avoid` (chosen already); the OS's choice if none is found. */
export async function freePort(avoid: Iterable<number> = []): Promise<number> {
  const taken = new Set(avoid);
  for (let i = 0; i < 64; i++) {
    const port = AUTO_PORTS.from + Math.floor(Math.random() * (AUTO_PORTS.to - AUTO_PORTS.from + 1));
    if (!taken.has(port) && (await bindable(port))) return port;
  }
  const srv = createServer();
  const port = await listenLoopback(srv, 0);
  await closeServer(srv);
  return port;
}

export function assertPortFree(port: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new Error(
          e.code === 'EADDRINUSE'
            ? `Port ${port} (${what}) is in use: stop what uses it or pass another port (or --ports auto)`
            : `Port ${port} (${what}): ${e.message}`,
        ),
      ),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}
