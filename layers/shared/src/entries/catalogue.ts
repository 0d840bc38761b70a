/** @myapp/shared/catalogue: the product catalogue (checked against the Product schema) and the custom resource handler that loads it. */
export * from '../catalogue';
export * from '../custom-resource';
