/** Starts the local runtime once for every resilience suite; its outputs go to the workers via env. */
import { startLocalRuntime, type LocalRuntimeHandle } from '../support/runtime';

declare global {
  var __RESILIENCE_RT__: LocalRuntimeHandle | undefined;
}

/**
 * Suites that start (and break) a runtime of their own. When only they are selected
 * (`npx jest -c jest.resilience.config.js tests/resilience/faults.test.ts`), the shared
 * runtime would only take CPU from them: it is not started.
 */
const OWN_RUNTIME_SUITES = /faults/;

export default async function globalSetup(globalConfig?: { testPathPatterns?: { patterns?: string[] } }): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const patterns = globalConfig?.testPathPatterns?.patterns ?? [];
  if (patterns.length > 0 && patterns.every((p) => OWN_RUNTIME_SUITES.test(p))) return;
  // A hold keeps orders PLACED while the suites run, so fewer workflows run in the background.
  const rt = await startLocalRuntime({ parameterOverrides: { OrderHoldSeconds: '60' }, timeoutMs: 150_000 });
  globalThis.__RESILIENCE_RT__ = rt;
  process.env.RESILIENCE_OUTPUTS = JSON.stringify(rt.outputs);
  process.env.RESILIENCE_STATE_DIR = rt.stateDir;
}
