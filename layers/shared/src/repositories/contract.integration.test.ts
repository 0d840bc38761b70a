/**
 * The repository contract (testing/repository-contract.ts) against DynamoDB Local, with the
 * tables exactly as template.yaml declares them: the in-memory repositories the unit tests use
 * pass the same suite, so they answer as these do.
 */
import { join } from 'node:path';
import { createTables, startDynamoDbLocal, type DynamoDbLocal } from '../../../../local/src/dynamodb';
import { freePort } from '../../../../local/src/ports';
import { loadTemplate, tableDefinitionsFromTemplate } from '../../../../local/src/template';
import { documentClientOver as documentClient } from '../clients';
import { describeRepositoryContract, type ContractRepositories } from '../testing/repository-contract';
import { DynamoOrdersRepository } from './orders';
import { DynamoProductsRepository } from './products';
import { DynamoTodosRepository } from './todos';
import { DynamoUsersRepository } from './users';

const TEMPLATE = join(__dirname, '..', '..', '..', '..', 'template.yaml');
let ddb: DynamoDbLocal;
let repos: ContractRepositories;

beforeAll(async () => {
  const defs = tableDefinitionsFromTemplate(loadTemplate(TEMPLATE));
  ddb = await startDynamoDbLocal({ port: await freePort(), inMemory: true });
  await createTables(ddb.client, defs);
  const table = (logicalId: string) => defs.find((d) => d.logicalId === logicalId)!.input.TableName!;
  const doc = documentClient(ddb.client);
  repos = {
    orders: new DynamoOrdersRepository(doc, table('OrdersTable'), table('ProductsTable')),
    products: new DynamoProductsRepository(doc, table('ProductsTable')),
    users: new DynamoUsersRepository(doc, table('UsersTable')),
    todos: new DynamoTodosRepository(doc, table('TodosTable')),
  };
}, 60_000);

afterAll(async () => {
  await ddb?.stop();
});

describeRepositoryContract('DynamoDB repositories on DynamoDB Local', () => repos);
