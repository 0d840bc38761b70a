/**
 * The hosted UI's pages: plain HTML forms (no script, so the page's CSP is `default-src
 * 'none'`), every value escaped. Field names follow Cognito's classic hosted UI
 * (`username`, `password`, `_csrf`).
 */

export const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;background:#f3f4f6;color:#111827;margin:0;display:flex;justify-content:center;padding:48px 16px}
main{background:#fff;border-radius:12px;box-shadow:0 1px 3px #0002;padding:32px;width:100%;max-width:380px}
h1{font-size:1.3rem;margin:0 0 4px}p{margin:8px 0}.muted{color:#6b7280;font-size:.9rem}
label{display:block;margin:14px 0 4px;font-weight:600;font-size:.9rem}
input{width:100%;box-sizing:border-box;padding:10px;border:1px solid #d1d5db;border-radius:8px;font:inherit}
button{margin-top:20px;width:100%;padding:11px;border:0;border-radius:8px;background:#1d4ed8;color:#fff;font:inherit;font-weight:600;cursor:pointer}
.alert{background:#fef2f2;color:#991b1b;border-radius:8px;padding:10px;margin:12px 0}.notice{background:#ecfdf5;color:#065f46;border-radius:8px;padding:10px;margin:12px 0}
a{color:#1d4ed8}`;

export interface PageContext {
  /** The app client's name, shown as the page's subject. */
  appName: string;
  /** The authorize parameters to carry from page to page (already a query string). */
  query: string;
  csrf: string;
  error?: string;
  notice?: string;
}

function layout(title: string, c: PageContext, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · ${esc(c.appName)}</title><style>${STYLE}</style></head><body><main>
<h1>${esc(title)}</h1><p class="muted">${esc(c.appName)}</p>
${c.error ? `<p class="alert" role="alert">${esc(c.error)}</p>` : ''}${c.notice ? `<p class="notice" role="status">${esc(c.notice)}</p>` : ''}
${body}
</main></body></html>`;
}

const form = (action: string, c: PageContext, fields: string, submit: string, hidden: Record<string, string> = {}) =>
  `<form method="post" action="${esc(`${action}?${c.query}`)}" novalidate>
<input type="hidden" name="_csrf" value="${esc(c.csrf)}">${Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('')}
${fields}<button type="submit">${esc(submit)}</button></form>`;

const field = (id: string, label: string, type: string, autocomplete: string, value = '') =>
  `<label for="${id}">${esc(label)}</label><input id="${id}" name="${id}" type="${type}" autocomplete="${autocomplete}" value="${esc(value)}" required>`;

const link = (path: string, c: PageContext, text: string) => `<a href="${esc(`${path}?${c.query}`)}">${esc(text)}</a>`;

export function loginPage(c: PageContext, username = ''): string {
  return layout(
    'Sign in',
    c,
    `${form('/login', c, field('username', 'Email', 'email', 'username', username) + field('password', 'Password', 'password', 'current-password'), 'Sign in')}
<p>${link('/forgotPassword', c, 'Forgot your password?')}</p><p>Need an account? ${link('/signup', c, 'Sign up')}</p>`,
  );
}

export function signUpPage(c: PageContext, username = ''): string {
  return layout(
    'Sign up',
    c,
    `${form('/signup', c, field('username', 'Email', 'email', 'username', username) + field('password', 'Password', 'password', 'new-password'), 'Sign up')}
<p class="muted">At least 8 characters, with upper-case and lower-case letters and a number.</p><p>Already have an account? ${link('/login', c, 'Sign in')}</p>`,
  );
}

export function confirmPage(c: PageContext, pending: string, destination: string): string {
  return layout(
    'Confirm your account',
    { ...c, notice: c.notice ?? `We have sent a code by email to ${destination}. Enter it below to confirm your account.` },
    form('/confirmUser', c, field('code', 'Verification code', 'text', 'one-time-code'), 'Confirm account', { pending }),
  );
}

export function newPasswordPage(c: PageContext, pending: string): string {
  return layout(
    'Change password',
    { ...c, notice: c.notice ?? 'Please enter a new password.' },
    form('/newPassword', c, field('password', 'New password', 'password', 'new-password'), 'Send', { pending }),
  );
}

export function forgotPasswordPage(c: PageContext, username = ''): string {
  return layout(
    'Forgot your password?',
    { ...c, notice: c.notice ?? 'Enter your email below and we will send a message to reset your password.' },
    `${form('/forgotPassword', c, field('username', 'Email', 'email', 'username', username), 'Reset my password')}<p>${link('/login', c, 'Back to sign in')}</p>`,
  );
}

export function resetPasswordPage(c: PageContext, username: string, destination: string): string {
  return layout(
    'Reset your password',
    { ...c, notice: c.notice ?? `We have sent a password reset code by email to ${destination}. Enter it below to reset your password.` },
    form(
      '/confirmForgotPassword',
      c,
      field('code', 'Code', 'text', 'one-time-code') + field('password', 'New password', 'password', 'new-password'),
      'Change password',
      { username },
    ),
  );
}

export function errorPage(detail: string): string {
  return layout(
    'An error was encountered with the requested page.',
    { appName: 'Sign-in', query: '', csrf: '' },
    `<p class="alert" role="alert">${esc(detail)}</p>`,
  );
}
