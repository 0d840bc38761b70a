/**
 * The stack suite (tests/stack): seed 002's order scenarios against a stack found by its
 * name through CloudFormation. Run it with `npm run test:stack [-- --stack <name> [--region r]]`
 * (scripts/test-stack.ts): without --stack against `npm start`, with it against AWS.
 */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  roots: ['<rootDir>/tests/stack'],
  testMatch: ['**/*.stack.test.ts'],
  testTimeout: 180000,
  maxWorkers: 1,
};
