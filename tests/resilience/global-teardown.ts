/** Stops the runtime globalSetup started (the whole process group). */
import type { LocalRuntimeHandle } from '../support/runtime';

export default async function globalTeardown(): Promise<void> {
  const rt = (globalThis as { __RESILIENCE_RT__?: LocalRuntimeHandle }).__RESILIENCE_RT__;
  await rt?.stop();
}
