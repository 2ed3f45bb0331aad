import type { Logger } from '../shared/logger.js';

export interface Admission {
  /** Whether this verified, lower-cased e-mail address may enter the admin console. */
  allows(email: string): boolean;
}

/**
 * ADMIN_EMAILS, compared case-insensitively. Outside production an empty list lets any e-mail in
 * (with a loud warning when the console is built); production refuses an empty list in config.ts.
 */
export function createAdmission(input: { emails: string[]; env: 'development' | 'production' | 'test'; logger: Logger }): Admission {
  const allowed = new Set(input.emails.map((email) => email.trim().toLowerCase()));
  const open = allowed.size === 0 && input.env !== 'production';
  if (open) input.logger.warn('ADMIN_EMAILS is empty: ANY e-mail address may enter /admin (development only; set ADMIN_EMAILS)');
  return {
    allows: (email) => open || allowed.has(email.trim().toLowerCase()),
  };
}
