/** Stops the runtime globalSetup started (the whole process group); keeps its log for diagnosis. */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalRuntimeHandle } from '../support/runtime';

export default async function globalTeardown(): Promise<void> {
  const rt = (globalThis as { __RESILIENCE_RT__?: LocalRuntimeHandle }).__RESILIENCE_RT__;
  if (!rt) return;
  const log = join(tmpdir(), 'myapp-resilience-runtime.log');
  try {
    writeFileSync(log, rt.output());
    process.stdout.write(`runtime log: ${log}\n`);
  } catch {
    /* diagnosis only */
  }
  await rt.stop();
}
