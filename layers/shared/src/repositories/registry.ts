/**
 * The app's repositories over DynamoDB, each built on first use from config.ts's table names
 * and the one document client of clients.ts, then kept for the execution environment.
 * Handlers use these; unit tests swap in the in-memory ones (testing/) with
 * overrideRepositories, the one seam between a handler and its storage.
 */
import { documentClient } from '../clients';
import { config } from '../config';
import { DynamoOrdersRepository, type OrdersRepository } from './orders';
import { DynamoProductsRepository, type ProductsRepository } from './products';
import { DynamoTodosRepository, type TodosRepository } from './todos';
import { DynamoUsersRepository, type UsersRepository } from './users';

export interface Repositories {
  orders: OrdersRepository;
  products: ProductsRepository;
  users: UsersRepository;
  todos: TodosRepository;
}

const built: Partial<Repositories> = {};

export const repositories: Repositories = {
  get orders() {
    return (built.orders ??= new DynamoOrdersRepository(documentClient(), config.ordersTable(), config.productsTable));
  },
  get products() {
    return (built.products ??= new DynamoProductsRepository(documentClient(), config.productsTable()));
  },
  get users() {
    return (built.users ??= new DynamoUsersRepository(documentClient(), config.usersTable()));
  },
  get todos() {
    return (built.todos ??= new DynamoTodosRepository(documentClient(), config.todosTable()));
  },
};

/** Replaces repositories (unit tests: the in-memory ones); `undefined` goes back to DynamoDB. */
export function overrideRepositories(replacement: Partial<Repositories> | undefined): void {
  for (const k of ['orders', 'products', 'users', 'todos'] as const) delete built[k];
  if (replacement) Object.assign(built, replacement);
}
