/** @myapp/shared/schemas: every zod schema of SPEC 4, and the z they are built with (zod is evaluated here, once). */
export * from '../schemas';
export { z } from '../schemas/zod';
