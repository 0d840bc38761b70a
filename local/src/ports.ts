/** Port helpers: free-port picking for `--ports auto` and a clear "port in use" check. */
import { createServer } from 'node:net';

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
      reject(new Error(e.code === 'EADDRINUSE' ? `Port ${port} (${what}) is in use: stop what uses it or pass another port (or --ports auto)` : `Port ${port} (${what}): ${e.message}`)),
    );
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve()));
  });
}
