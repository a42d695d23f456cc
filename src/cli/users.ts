/** `tawasul users add | passwd`: console accounts from the command line. */
import { loadConfig } from '../config.ts';
import { openApp } from '../app.ts';
import { AccountError, Accounts, ROLES, type Role } from '../console/accounts.ts';

async function withAccounts(fn: (a: Accounts) => Promise<void>) {
  const app = openApp(loadConfig());
  try {
    await fn(new Accounts(app.store.console));
  } catch (err) {
    if (!(err instanceof AccountError)) throw err;
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
  } finally {
    app.close();
  }
}

export function usersAddCommand(opts: { email: string; name?: string; nameAr?: string; nameEn?: string; role: string; org: string }) {
  return withAccounts(async (accounts) => {
    if (!ROLES.includes(opts.role as Role)) throw new AccountError(`--role must be one of: ${ROLES.join(', ')}`);
    const associations = opts.org.split(',').map((s) => s.trim()).filter(Boolean);
    const { user, password } = await accounts.add({
      email: opts.email,
      name: opts.name ?? opts.email,
      role: opts.role as Role,
      associations,
      ...(opts.nameAr ? { displayNameAr: opts.nameAr } : {}),
      ...(opts.nameEn ? { displayNameEn: opts.nameEn } : {}),
    });
    process.stdout.write(`created ${user.role} ${user.email} for ${associations.join(', ')}\npassword (shown once; they choose their own at first sign-in): ${password}\n`);
  });
}

export function usersPasswdCommand(opts: { email: string }) {
  return withAccounts(async (accounts) => {
    const password = await accounts.setPassword(opts.email);
    process.stdout.write(`new password for ${opts.email} (shown once; their sessions were ended; they choose their own at next sign-in): ${password}\n`);
  });
}
