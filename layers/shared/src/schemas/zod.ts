/**
 * The one zod the layer's modules build schemas with. Outside schemas/ they import it from
 * here, so in the built layer zod is evaluated once, inside the `@myapp/shared/schemas` entry
 * (see layers/shared/build.js); http.ts only needs ZodError, which bundles to a few KB.
 */
export { z } from 'zod';
