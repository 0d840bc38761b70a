/** @myapp/shared/catalogue: the product catalogue, checked against the Product schema. */
export * from '../catalogue';
