/** Waits that never outlive what they wait for (so test runners and the CLI exit). */

/** Waits for `p` at most `ms`, leaving no timer behind. */
export async function boundedWait(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((r) => (timer = setTimeout(r, ms))),
  ]);
  clearTimeout(timer);
}
