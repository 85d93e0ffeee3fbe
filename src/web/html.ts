// HTML output: a tagged template that escapes every interpolated value, and the page layout.
import escapeHtml from 'escape-html';

/** Markup that is already safe to insert as is (built by `html` only). */
export class SafeHtml {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

type Value = SafeHtml | string | number | boolean | null | undefined | readonly Value[];

function render(value: Value): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/**
 * html`<p>${name}</p>`: strings are escaped (so a person named `<script>` shows as text),
 * nested html`` fragments are kept, null/undefined/false render nothing.
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0];
  values.forEach((value, i) => {
    out += render(value) + strings[i + 1];
  });
  return new SafeHtml(out);
}

export const STYLESHEET_PATH = '/thalamus.css';

/** A whole HTML5 document; readable without the stylesheet, and it carries no script. */
export function page(title: string, main: SafeHtml): string {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} - Thalamus</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<header><p class="site">GNU Health Federation · Thalamus</p></header>
<main>
${main}
</main>
</body>
</html>
`.markup;
}
