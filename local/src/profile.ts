/**
 * `npm start -- --cpu-prof DIR`: a V8 CPU profile of the runtime's own process, written to
 * DIR/runtime.cpuprofile when it stops (the function processes write theirs with node's
 * --cpu-prof, see the Lambda module). Open them in Chrome DevTools or speedscope.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

export function profileRuntime(dir: string): () => Promise<void> {
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((ok, fail) => session.post(method, params ?? {}, (err, result) => (err ? fail(err) : ok(result))));
  const started = post('Profiler.enable').then(() => post('Profiler.start'));
  return async () => {
    await started;
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'runtime.cpuprofile'), JSON.stringify(profile));
    session.disconnect();
  };
}
