import { CompensationInput, TaskInput, TaskInputError } from './input';

describe('TaskInput.parse', () => {
  it('accepts orderId and userId and keeps the other keys', () => {
    expect(TaskInput.parse({ orderId: 'o-1', userId: 'u-1', extra: { a: 1 } })).toEqual({ orderId: 'o-1', userId: 'u-1', extra: { a: 1 } });
  });
  it.each([[undefined], [null], ['o-1'], [[]], [{ orderId: 'o-1' }], [{ orderId: '', userId: 'u-1' }], [{ orderId: 1, userId: 'u-1' }]])(
    'refuses %j',
    (value) => {
      expect(() => TaskInput.parse(value)).toThrow(TaskInputError);
    },
  );
  it('names each failing field', () => {
    expect(() => TaskInput.parse({ userId: '' })).toThrow(/orderId: Expected a string; userId: Must not be empty/);
  });
});

describe('CompensationInput.parse', () => {
  it('keeps Error and Cause of the caught error, nothing else', () => {
    expect(CompensationInput.parse({ orderId: 'o-1', userId: 'u-1', error: { Error: 'PaymentDeclined', Cause: '{}', other: 1 } })).toEqual({
      orderId: 'o-1',
      userId: 'u-1',
      error: { Error: 'PaymentDeclined', Cause: '{}' },
    });
  });
  it('accepts no error at all', () => {
    expect(CompensationInput.parse({ orderId: 'o-1', userId: 'u-1' })).toEqual({ orderId: 'o-1', userId: 'u-1' });
  });
  it.each([[{ error: 'boom' }], [{ error: {} }], [{ error: { Error: 'X', Cause: 3 } }]])('refuses %j', (extra) => {
    expect(() => CompensationInput.parse({ orderId: 'o-1', userId: 'u-1', ...extra })).toThrow(TaskInputError);
  });
});
