/**
 * A local runtime whose function processes reach DynamoDB Local through the counting proxy
 * (bench/lib/ddb-proxy.ts): DynamoDB Local gets a port chosen here, the proxy forwards to it,
 * and `--functions-dynamodb-endpoint` points every function's AWS_ENDPOINT_URL_DYNAMODB at
 * the proxy. The runtime itself (table creation, TTL sweeper, streams) talks to DynamoDB
 * Local directly, so only the functions' own calls are counted.
 */
import { freePort } from '../../local/src/ports';
import { startLocalRuntime, type LocalRuntimeHandle, type StartLocalRuntimeOptions } from '../../tests/support/runtime';
import { cleanups } from './common';
import { CountingDdbProxy } from './ddb-proxy';

export async function startProxiedRuntime(
  o: StartLocalRuntimeOptions = {},
): Promise<{ rt: LocalRuntimeHandle; proxy: CountingDdbProxy; stop: () => Promise<void> }> {
  const ddbPort = await freePort();
  const proxy = new CountingDdbProxy(ddbPort);
  const proxyPort = await proxy.listen(0);
  let rt: LocalRuntimeHandle;
  try {
    rt = await startLocalRuntime({
      timeoutMs: 180_000,
      ...o,
      extraArgs: [
        ...(o.extraArgs ?? []),
        '--dynamodb-port',
        String(ddbPort),
        '--functions-dynamodb-endpoint',
        `http://127.0.0.1:${proxyPort}`,
      ],
    });
  } catch (e) {
    await proxy.stop();
    throw e;
  }
  const stop = async () => {
    cleanups.delete(stop);
    await rt.stop();
    await proxy.stop();
  };
  cleanups.add(stop);
  return { rt, proxy, stop };
}
