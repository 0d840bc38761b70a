/**
 * The zod functions the layer's modules outside schemas/ build or read schemas with. They
 * import them from here, so in the built layer zod is evaluated once, inside the
 * `@myapp/shared/schemas` entry (see layers/shared/build.js); http.ts only needs ZodError,
 * which bundles to a few KB.
 *
 * Named, not zod's whole `z` namespace: every module of the entry takes zod as
 * `import * as z from 'zod'` and names what it uses, so esbuild keeps only that part of zod
 * (about 100 KB of its 450: no locales, no unused schema kinds), which loads in ~15 ms where
 * the whole of it took ~22 ms. Exporting the namespace itself would keep all of it.
 */
import * as zod from 'zod';

export const z = {
  array: zod.array,
  literal: zod.literal,
  looseObject: zod.looseObject,
  string: zod.string,
  toJSONSchema: zod.toJSONSchema,
  ZodType: zod.ZodType,
};

/** The types that go with them (types cost nothing at run time). */
// eslint-disable-next-line @typescript-eslint/no-namespace
export declare namespace z {
  export type infer<T> = zod.infer<T>;
  export type output<T> = zod.output<T>;
  export type ZodType = zod.ZodType;
}
