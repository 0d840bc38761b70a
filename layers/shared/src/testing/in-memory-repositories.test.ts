import { describeRepositoryContract } from './repository-contract';
import { inMemoryRepositories } from './in-memory-repositories';

// The same suite runs against DynamoDB Local in repositories/contract.integration.test.ts.
const repos = inMemoryRepositories();
describeRepositoryContract('in-memory repositories', () => repos);
