/** Password policy checks as Cognito words them. */
import { checkPasswordPolicy } from './password';

const policy = { MinimumLength: 8, RequireUppercase: true, RequireLowercase: true, RequireNumbers: true, RequireSymbols: false };

it.each([
  ['Sh0rt', /long enough/],
  ['alllowercase1', /uppercase/],
  ['ALLUPPERCASE1', /lowercase/],
  ['NoNumbersHere', /numeric/],
])('refuses %s', (pw, msg) => {
  expect(checkPasswordPolicy(pw, policy)).toMatch(msg);
});

it('accepts a conforming password, and checks symbols only when asked', () => {
  expect(checkPasswordPolicy('Passw0rdX', policy)).toBeUndefined();
  expect(checkPasswordPolicy('Passw0rdX', { ...policy, RequireSymbols: true })).toMatch(/symbol/);
  expect(checkPasswordPolicy('Passw0rd!', { ...policy, RequireSymbols: true })).toBeUndefined();
});
