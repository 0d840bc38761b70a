import { z } from '../schemas/zod';
import { Product } from '../schemas/products';
import raw from './products.json';

/** The product catalogue, checked against the Product schema when first loaded. */
export const CATALOGUE: readonly Product[] = z.array(Product).parse(raw);
