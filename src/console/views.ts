/**
 * Console pages as functions of their data. Every interpolated value goes through `esc`:
 * a beneficiary's `<script>` is shown as text.
 */
import type { User } from './accounts.ts';

export type Lang = 'ar' | 'en';

export const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const T = {
  ar: {
    title: 'تواصل — لوحة الموظفين',
    login: 'تسجيل الدخول',
    email: 'البريد الإلكتروني',
    password: 'كلمة المرور',
    signIn: 'دخول',
    wrong: 'البريد أو كلمة المرور غير صحيحة.',
    logout: 'تسجيل الخروج',
    welcome: 'مرحبًا',
    waiting: 'محادثات بانتظار موظف',
    role: { staff: 'موظف علاقات', researcher: 'باحث اجتماعي', committee: 'لجنة البحث', supervisor: 'مشرف', admin: 'مدير النظام' },
    other: 'English',
  },
  en: {
    title: 'Tawasul — staff console',
    login: 'Sign in',
    email: 'Email',
    password: 'Password',
    signIn: 'Sign in',
    wrong: 'Wrong email or password.',
    logout: 'Sign out',
    welcome: 'Welcome',
    waiting: 'Conversations waiting for a person',
    role: { staff: 'Relations staff', researcher: 'Social researcher', committee: 'Research committee', supervisor: 'Supervisor', admin: 'Administrator' },
    other: 'العربية',
  },
} as const;

export function layout(lang: Lang, body: string, user?: User): string {
  const t = T[lang];
  return `<!doctype html>
<html lang="${lang}" dir="${lang === 'ar' ? 'rtl' : 'ltr'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title)}</title>
<style>
  body { margin: 0; font-family: "Noto Naskh Arabic", "Segoe UI", Tahoma, system-ui, sans-serif; background: #f4f6f5; color: #1d2b27; }
  header { display: flex; justify-content: space-between; align-items: center; gap: 12px; padding: 10px 16px; background: #0f5c4d; color: #fff; }
  header a, header button { color: #d8efe9; background: none; border: 0; font: inherit; cursor: pointer; }
  main { max-width: 960px; margin: 24px auto; padding: 0 16px; }
  .card { background: #fff; border: 1px solid #dfe7e4; border-radius: 12px; padding: 20px; margin-bottom: 16px; }
  label { display: block; margin: 12px 0 4px; }
  input[type=email], input[type=password] { width: 100%; box-sizing: border-box; padding: 10px; border: 1px solid #c7d3cf; border-radius: 8px; font: inherit; }
  .primary { margin-top: 16px; background: #0f5c4d; color: #fff; border: 0; border-radius: 8px; padding: 10px 18px; font: inherit; cursor: pointer; }
  .error { color: #a4262c; }
  table { width: 100%; border-collapse: collapse; }
  td, th { padding: 8px; border-bottom: 1px solid #eef2f0; text-align: start; }
  .count { font-weight: 700; }
</style>
</head>
<body>
<header><strong>${esc(t.title)}</strong><span>${user ? `${esc(user.name)} · ` : ''}<a href="?lang=${lang === 'ar' ? 'en' : 'ar'}">${t.other}</a></span></header>
<main>${body}</main>
</body>
</html>`;
}

export function loginPage(lang: Lang, csrfToken: string, failed = false): string {
  const t = T[lang];
  return `<form class="card" method="post" action="/console/login" style="max-width:380px;margin:auto">
<h1>${t.login}</h1>
${failed ? `<p class="error" role="alert">${t.wrong}</p>` : ''}
<input type="hidden" name="_csrf" value="${esc(csrfToken)}">
<label for="email">${t.email}</label><input id="email" name="email" type="email" autocomplete="username" required dir="ltr">
<label for="password">${t.password}</label><input id="password" name="password" type="password" autocomplete="current-password" required dir="ltr">
<button class="primary" type="submit">${t.signIn}</button>
</form>`;
}

export function homePage(lang: Lang, user: User, waiting: Array<{ associationId: string; name: string; waiting: number }>, csrfToken: string): string {
  const t = T[lang];
  const rows = waiting.map((w) => `<tr><td>${esc(w.name)}</td><td class="count">${w.waiting}</td></tr>`).join('');
  return `<section class="card"><h1>${t.welcome} ${esc(user.name)}</h1><p>${esc(t.role[user.role])}</p>
<form method="post" action="/console/logout"><input type="hidden" name="_csrf" value="${esc(csrfToken)}"><button class="primary" type="submit">${t.logout}</button></form></section>
<section class="card"><h2>${t.waiting}</h2><table>${rows}</table></section>`;
}
