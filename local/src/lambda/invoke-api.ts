/** The Lambda Invoke API, so `aws lambda invoke --endpoint-url` and the SDK work locally. */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { LambdaService } from '.';
import { closeServer, listenLoopback } from '../ports';

export class LambdaInvokeApi {
  private server?: Server;
  constructor(
    private lambda: LambdaService,
    private log: (s: string, m: string) => void,
  ) {}

  listen(port: number): Promise<number> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/.exec((req.url ?? '').split('?')[0]!);
        const requestId = randomUUID();
        if (req.method !== 'POST' || !m) {
          res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
          return res.end(JSON.stringify({ message: 'Unknown operation' }));
        }
        const name = decodeURIComponent(m[1]!);
        const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
        let event: unknown;
        try {
          const text = Buffer.concat(chunks).toString('utf8');
          event = text ? JSON.parse(text) : {};
        } catch {
          res.writeHead(400, { 'content-type': 'application/json', 'x-amzn-errortype': 'InvalidRequestContentException' });
          return res.end(JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }));
        }
        if (!this.lambda.resolveName(name)) {
          res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
          return res.end(JSON.stringify({ Type: 'User', message: `Function not found: ${name}` }));
        }
        if (type === 'Event') {
          void this.lambda.invoke(name, event, { async: true });
          res.writeHead(202, { 'x-amzn-requestid': requestId });
          return res.end();
        }
        void this.lambda.invoke(name, event).then((r) => {
          const headers: Record<string, string> = {
            'content-type': 'application/json',
            'x-amzn-requestid': requestId,
            'x-amz-executed-version': '$LATEST',
          };
          if (!r.ok) headers['x-amz-function-error'] = 'Unhandled';
          res.writeHead(200, headers);
          res.end(JSON.stringify(r.ok ? (r.payload ?? null) : r.error));
        });
      });
    });
    return listenLoopback(this.server, port);
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }
}
