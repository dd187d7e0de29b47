// Credentials for a server that requires signed requests: asked for once, kept in this tab's
// sessionStorage (gone when the tab closes; never sent anywhere — only used to sign).
import { h } from './dom.js';
import type { Credentials } from './sigv4.js';

const KEY = 'lambkin.credentials';

export function stored(): Credentials | undefined {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Credentials | null;
    return v && typeof v.accessKeyId === 'string' && typeof v.secretAccessKey === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export function forget(): void {
  sessionStorage.removeItem(KEY);
}

let pending: Promise<Credentials> | undefined;

/** Show the sign-in dialog (once, however many calls are waiting) and resolve with what was entered. */
export function ask(reason: string): Promise<Credentials> {
  pending ??= new Promise<Credentials>((resolve) => {
    const id = h('input', { name: 'accessKeyId', autocomplete: 'username', required: true, spellcheck: 'false' });
    const secret = h('input', { name: 'secretAccessKey', type: 'password', autocomplete: 'current-password', required: true });
    const form = h('form.card.signin', {
      onsubmit: (e: Event) => {
        e.preventDefault();
        const creds = { accessKeyId: id.value.trim(), secretAccessKey: secret.value.trim() };
        sessionStorage.setItem(KEY, JSON.stringify(creds));
        dialog.remove();
        pending = undefined;
        resolve(creds);
      },
    },
    h('h2', 'Sign in to lambkin'),
    h('p.muted', reason),
    h('p.muted', 'Use the server\'s access key (from `lambkin init-credentials` or LAMBKIN_ACCESS_KEY_ID / LAMBKIN_SECRET_ACCESS_KEY). They stay in this tab only and sign each request (SigV4).'),
    h('label', 'Access key ID', id),
    h('label', 'Secret access key', secret),
    h('button.primary', { type: 'submit' }, 'Sign in'));
    const dialog = h('div.overlay', { role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Sign in' }, form);
    document.body.append(dialog);
    id.focus();
  });
  return pending;
}
