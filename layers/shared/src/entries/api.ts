/** @myapp/shared/api: the route table and apiHandler, which dispatches on it, validates with its schemas (zod loaded only by functions that validate) and maps errors to HTTP. */
export * from '../routes';
export * from '../api';
