/** The user pool's password policy, checked with Cognito's messages (kept free of jose for unit tests). */
export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
}

export function checkPasswordPolicy(pw: string, p: PasswordPolicy): string | undefined {
  const fails: string[] = [];
  if (pw.length < p.MinimumLength) fails.push(`Password not long enough (minimum ${p.MinimumLength})`);
  if (p.RequireUppercase && !/[A-Z]/.test(pw)) fails.push('Password must have uppercase characters');
  if (p.RequireLowercase && !/[a-z]/.test(pw)) fails.push('Password must have lowercase characters');
  if (p.RequireNumbers && !/[0-9]/.test(pw)) fails.push('Password must have numeric characters');
  if (p.RequireSymbols && !/[^A-Za-z0-9]/.test(pw)) fails.push('Password must have symbol characters');
  return fails.length ? `Password did not conform with policy: ${fails[0]}` : undefined;
}
