/**
 * Custom resources, as a stack create runs them: on a fresh state, a CloudFormation Create
 * event to each one's ServiceToken function, whose cfn-response PUT lands on a local
 * ResponseURL; FAILED (or no answer within a minute) fails the start.
 * Not emulated: Update and Delete events (a restart on the same state does not run them
 * again), ServiceTokens that are SNS topics, the response's Data for GetAtt.
 */
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ServiceContext, ServiceModule } from '../contract';

interface CfnResponse {
  Status?: string;
  Reason?: string;
  PhysicalResourceId?: string;
  Data?: Record<string, unknown>;
}

export async function runCustomResources(ctx: ServiceContext, timeoutMs = 60_000): Promise<void> {
  const custom = Object.entries(ctx.template.resources).filter(
    ([, r]) => r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource',
  );
  if (!custom.length) return;
  const responses = new Map<string, (r: CfnResponse) => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = decodeURIComponent((req.url ?? '').slice(1));
      let body: CfnResponse;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CfnResponse;
      } catch {
        body = { Status: 'FAILED', Reason: 'response body is not JSON' };
      }
      res.writeHead(200).end();
      responses.get(key)?.(body);
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  try {
    for (const [id, r] of custom) {
      const { ServiceToken, ...props } = r.Properties as Record<string, unknown>;
      const fid = ctx.functions.functionId(String(ServiceToken));
      if (!fid) throw new Error(`Custom resource ${id}: ServiceToken ${String(ServiceToken)} is not a function of the template`);
      const requestId = randomUUID();
      const got = new Promise<CfnResponse>((ok) => responses.set(requestId, ok));
      const event = {
        RequestType: 'Create',
        ServiceToken,
        ResponseURL: `http://127.0.0.1:${port}/${requestId}`,
        StackId: `arn:aws:cloudformation:${ctx.region}:${ctx.accountId}:stack/${ctx.stackName}/local`,
        RequestId: requestId,
        LogicalResourceId: id,
        ResourceType: r.Type,
        ResourceProperties: { ServiceToken, ...props },
      };
      const started = Date.now();
      const inv = await ctx.functions.invoke(fid, event);
      if (!inv.ok) throw new Error(`Custom resource ${id} (${fid}) failed: ${inv.error?.errorType}: ${inv.error?.errorMessage}`);
      let timer: NodeJS.Timeout | undefined;
      const resp = await Promise.race([
        got,
        new Promise<CfnResponse>((ok) => (timer = setTimeout(() => ok({ Status: 'TIMEOUT' }), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (resp.Status !== 'SUCCESS')
        throw new Error(`Custom resource ${id} (${fid}): ${resp.Status}${resp.Reason ? `: ${resp.Reason}` : ''}`);
      ctx.log('cloudformation', `${id} CREATE_COMPLETE (${fid}, ${Date.now() - started} ms)`);
    }
  } finally {
    server.close();
    server.closeAllConnections();
  }
}

export const customResourcesService: ServiceModule = {
  name: 'custom-resources',
  kinds: [{ types: ['Custom::*', 'AWS::CloudFormation::CustomResource'] }],
  start: async (ctx) => {
    if (ctx.freshState) await runCustomResources(ctx);
    return { stop: async () => undefined };
  },
};
