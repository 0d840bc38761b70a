/** Which function a name, ARN, qualified ARN or alias means. */
import { resolveStackTemplate } from '../registry';
import { functionIdOf } from './functions';

const t = resolveStackTemplate({
  Resources: {
    Pay: { Type: 'AWS::Serverless::Function', Properties: { AutoPublishAlias: 'live' } },
    Named: { Type: 'AWS::Serverless::Function', Properties: { FunctionName: 'custom-name' } },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
  },
});
const arn = 'arn:aws:lambda:us-east-1:123456789012:function:myapp-Pay';

it('reads logical ids, names, ARNs and partial ARNs', () => {
  expect(functionIdOf(t, 'Pay')).toBe('Pay');
  expect(functionIdOf(t, 'myapp-Pay')).toBe('Pay');
  expect(functionIdOf(t, arn)).toBe('Pay');
  expect(functionIdOf(t, '123456789012:function:myapp-Pay')).toBe('Pay');
  expect(functionIdOf(t, 'custom-name')).toBe('Named');
  expect(t.arns.Named).toBe('arn:aws:lambda:us-east-1:123456789012:function:custom-name');
});

it('invokes the function through its alias, $LATEST or version 1; other qualifiers name nothing', () => {
  expect(functionIdOf(t, `${arn}:live`)).toBe('Pay');
  expect(functionIdOf(t, 'myapp-Pay:live')).toBe('Pay');
  expect(functionIdOf(t, `${arn}:$LATEST`)).toBe('Pay');
  expect(functionIdOf(t, `${arn}:1`)).toBe('Pay');
  expect(functionIdOf(t, `${arn}:prod`)).toBeUndefined();
  expect(functionIdOf(t, 'custom-name:live')).toBeUndefined();
});

it('names no function for other resources or unknown names', () => {
  expect(functionIdOf(t, 'Table')).toBeUndefined();
  expect(functionIdOf(t, 'myapp-Table')).toBeUndefined();
  expect(functionIdOf(t, 'arn:aws:lambda:us-east-1:123456789012:function:nope')).toBeUndefined();
});
