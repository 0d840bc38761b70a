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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
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
