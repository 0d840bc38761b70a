/** startup: median of 3 boots, spawn to the ready line (and the runtime's own figure). */
import { startLocalRuntime } from '../../tests/support/runtime';
import { check, cleanups, log, median } from '../lib/common';

export async function benchStartup() {
  const wall: number[] = [];
  const reported: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = Date.now();
    const rt = await startLocalRuntime({ timeoutMs: 120_000 });
    wall.push(Date.now() - t0);
    cleanups.add(rt.stop);
    const m = /ready in (\d+) ms/.exec(rt.output());
    if (m) reported.push(Number(m[1]));
    await rt.stop();
    cleanups.delete(rt.stop);
    log(`boot ${i + 1}: ${wall[i]} ms to the ready line (runtime says ${m?.[1]} ms)`);
  }
  const res = { readyMs: median(wall), reportedReadyMs: reported.length ? median(reported) : null, runs: wall };
  check('startup readyMs (median of 3, spawn to ready line)', res.readyMs, '< 5000 ms', res.readyMs < 5000);
  return res;
}
