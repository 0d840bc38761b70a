/** Starts the local runtime once for every resilience suite; its outputs go to the workers via env. */
import { startLocalRuntime, type LocalRuntimeHandle } from '../support/runtime';

declare global {
  // eslint-disable-next-line no-var
  var __RESILIENCE_RT__: LocalRuntimeHandle | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // A hold keeps orders PLACED while the suites run, so fewer workflows run in the background.
  const rt = await startLocalRuntime({ parameterOverrides: { OrderHoldSeconds: '60' }, timeoutMs: 150_000 });
  globalThis.__RESILIENCE_RT__ = rt;
  process.env.RESILIENCE_OUTPUTS = JSON.stringify(rt.outputs);
  process.env.RESILIENCE_STATE_DIR = rt.stateDir;
}
