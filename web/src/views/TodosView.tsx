import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError, type ApiClient } from '../api';
import type { Todo, TodoList } from '../types';
import { Alert } from '../ui';

export function TodosView({ api }: { api: ApiClient }) {
  const [todos, setTodos] = useState<Todo[]>();
  const [title, setTitle] = useState('');
  const [editing, setEditing] = useState<{ id: string; title: string }>();
  const [error, setError] = useState('');

  const guard = async (fn: () => Promise<void>) => {
    setError('');
    try {
      await fn();
    } catch (e) {
      setError(describeError(e));
    }
  };
  // Counts answered writes: a list read that a write overtook may miss (or already hold) that write's item, so it is read again.
  const writes = useRef(0);
  const fetchList = useCallback(async () => {
    for (;;) {
      const before = writes.current;
      const { items } = await api.request<TodoList>('GET', '/todos?limit=100');
      if (writes.current === before) return setTodos(items);
    }
  }, [api]);
  const load = useCallback(() => guard(fetchList), [fetchList]);
  useEffect(() => void load(), [load]);

  // A write answers with the stored item; without one, reload the list.
  const replace = async (t: Todo | undefined) => {
    writes.current++;
    if (t?.todoId) setTodos((list) => list?.map((x) => (x.todoId === t.todoId ? t : x)));
    else await fetchList();
  };

  const add = (e: FormEvent) => {
    e.preventDefault();
    void guard(async () => {
      const t = await api.request<Todo>('POST', '/todos', { title });
      writes.current++;
      // Until the first read lands there is no list to prepend to: that read (now repeated) brings the new item.
      setTodos((list) => list && [t, ...list.filter((x) => x.todoId !== t.todoId)]);
      setTitle('');
    });
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    void guard(async () => {
      await replace(await api.request<Todo | undefined>('PUT', `/todos/${encodeURIComponent(editing.id)}`, { title: editing.title }));
      setEditing(undefined);
    });
  };
  const complete = (t: Todo) =>
    guard(async () => await replace(await api.request<Todo | undefined>('POST', `/todos/${encodeURIComponent(t.todoId)}/done`)));
  const reopen = (t: Todo) =>
    guard(async () => await replace(await api.request<Todo | undefined>('PUT', `/todos/${encodeURIComponent(t.todoId)}`, { done: false })));
  const remove = (t: Todo) =>
    guard(async () => {
      await api.request<void>('DELETE', `/todos/${encodeURIComponent(t.todoId)}`);
      writes.current++;
      setTodos((list) => list?.filter((x) => x.todoId !== t.todoId));
    });

  const open = todos?.filter((t) => !t.done).length ?? 0;
  return (
    <section aria-labelledby="todos-title" className="narrow">
      <h1 id="todos-title">To-dos</h1>
      <p className="muted">{todos ? `${open} open · ${todos.length - open} done` : 'Loading…'}</p>
      <Alert>{error}</Alert>
      <form className="inline-form card" onSubmit={add}>
        <label className="grow">
          <span className="sr-only">New to-do</span>
          <input
            name="title"
            placeholder="What needs doing?"
            required
            maxLength={200}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        <button className="btn btn-primary">Add</button>
      </form>
      <ul className="list todos">
        {todos?.map((t) => (
          <li key={t.todoId} className={`card row todo ${t.done ? 'todo-done' : ''}`} data-todo-id={t.todoId}>
            {editing?.id === t.todoId ? (
              <form className="inline-form grow" onSubmit={save}>
                <label className="grow">
                  <span className="sr-only">Title</span>
                  <input
                    autoFocus
                    required
                    maxLength={200}
                    value={editing.title}
                    onChange={(e) => setEditing({ id: t.todoId, title: e.target.value })}
                    onKeyDown={(e) => e.key === 'Escape' && setEditing(undefined)}
                  />
                </label>
                <button className="btn btn-primary">Save</button>
                <button type="button" className="btn btn-ghost" onClick={() => setEditing(undefined)}>
                  Cancel
                </button>
              </form>
            ) : (
              <>
                <label className="check grow">
                  <input
                    type="checkbox"
                    checked={t.done}
                    onChange={() => void (t.done ? reopen(t) : complete(t))}
                    aria-label={`${t.done ? 'Reopen' : 'Complete'} ${t.title}`}
                  />
                  <span className="todo-title">{t.title}</span>
                </label>
                <button
                  type="button"
                  className="btn btn-ghost"
                  onClick={() => setEditing({ id: t.todoId, title: t.title })}
                  aria-label={`Edit ${t.title}`}
                >
                  Edit
                </button>
                <button type="button" className="btn btn-ghost danger" onClick={() => void remove(t)} aria-label={`Delete ${t.title}`}>
                  Delete
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
      {todos?.length === 0 && <p className="muted empty">Nothing to do. Add your first to-do above.</p>}
    </section>
  );
}
