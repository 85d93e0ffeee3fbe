// The password change form as HTML: labelled fields, each error beside its field, no typed password echoed.
import { MAX_PASSWORD_LENGTH } from '../auth/passwords.ts';
import type { PersonRow } from '../store/people.ts';
import { html, page, type SafeHtml } from './html.ts';
import { MIN_PASSWORD_LENGTH, type FieldError, type PasswordField } from './password-rules.ts';

export interface PasswordFormView {
  person: PersonRow;
  csrfToken: string;
  /** A rule the submitted password broke, shown beside its field. */
  fieldError?: FieldError | null;
  /** A problem with the form as a whole (an expired or foreign token). */
  formError?: string | null;
}

/** "Ana Betz", from the person's name fields when they are text. */
export function displayName(person: PersonRow): string {
  const parts = [person.data?.name, person.data?.lastname].filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  return parts.join(' ');
}

function field(name: PasswordField, label: string, view: PasswordFormView, hint: string | null): SafeHtml {
  const error = view.fieldError?.field === name ? view.fieldError.message : null;
  const describedBy = [hint && `${name}-hint`, error && `${name}-error`].filter(Boolean).join(' ');
  // The value attribute is left out on purpose: a typed password never comes back in a page.
  return html`<div class="field${error ? ' field-error' : ''}">
<label for="${name}">${label}</label>
${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : null}
${error ? html`<p class="error-message" id="${name}-error"><span class="visually-hidden">Error: </span>${error}</p>` : null}
<input type="password" id="${name}" name="${name}" autocomplete="new-password" required${describedBy ? html` aria-describedby="${describedBy}"` : null}${error ? html` aria-invalid="true"` : null}>
</div>`;
}

function errorSummary(view: PasswordFormView): SafeHtml | null {
  const items = [
    view.formError ? html`<li>${view.formError}</li>` : null,
    view.fieldError ? html`<li><a href="#${view.fieldError.field}">${view.fieldError.message}</a></li>` : null,
  ].filter((item) => item !== null);
  if (items.length === 0) return null;
  return html`<div class="error-summary" role="alert" aria-labelledby="error-summary-title">
<h2 id="error-summary-title">The password was not changed</h2>
<ul>${items}</ul>
</div>`;
}

export function passwordPage(view: PasswordFormView): string {
  const { person } = view;
  const name = displayName(person);
  const hasErrors = Boolean(view.formError || view.fieldError);
  // The hidden username lets password managers file the new password under the right account.
  const main = html`<h1>Change password</h1>
<p>Account <strong>${person.id}</strong>${name ? html` · ${name}` : null}</p>
${errorSummary(view)}
<form method="post" action="/password/${encodeURIComponent(person.id)}" novalidate>
<input type="hidden" name="csrf_token" value="${view.csrfToken}">
<input type="text" name="username" value="${person.id}" autocomplete="username" hidden>
${field('password', 'New password', view, `${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters, not one of the commonly used passwords. A few unrelated words make a good one.`)}
${field('pconfirm', 'Confirm password', view, null)}
<button type="submit">Change password</button>
</form>`;
  return page(hasErrors ? 'Error: Change password' : 'Change password', main);
}
