import { CreateTodoRequest, UpdateTodoRequest } from './todos';

describe('todo schemas', () => {
  it('accepts a date or a date-time as dueDate', () => {
    expect(CreateTodoRequest.safeParse({ title: 'a', dueDate: '2026-12-31' }).success).toBe(true);
    expect(CreateTodoRequest.safeParse({ title: 'a', dueDate: '2026-12-31T10:00:00Z' }).success).toBe(true);
    expect(CreateTodoRequest.safeParse({ title: 'a', dueDate: '2026-13-01' }).success).toBe(false);
    expect(CreateTodoRequest.safeParse({ title: 'a', dueDate: '31/12/2026' }).success).toBe(false);
  });

  it('bounds title (1–200 after trimming) and notes (≤ 2000)', () => {
    expect(CreateTodoRequest.safeParse({ title: 'x'.repeat(200) }).success).toBe(true);
    expect(CreateTodoRequest.safeParse({ title: 'x'.repeat(201) }).success).toBe(false);
    expect(CreateTodoRequest.safeParse({ title: '  ' }).success).toBe(false);
    expect(CreateTodoRequest.safeParse({ title: 'a', notes: 'n'.repeat(2000) }).success).toBe(true);
    expect(CreateTodoRequest.safeParse({ title: 'a', notes: 'n'.repeat(2001) }).success).toBe(false);
  });

  it('is strict and needs at least one field on update', () => {
    expect(CreateTodoRequest.safeParse({ title: 'a', done: true }).success).toBe(false);
    expect(UpdateTodoRequest.safeParse({}).success).toBe(false);
    expect(UpdateTodoRequest.parse({ done: false })).toEqual({ done: false });
    expect(UpdateTodoRequest.safeParse({ done: 'false' }).success).toBe(false);
  });
});
