// Escaping for everything that comes from a trace (thread names, paths, reasons) on its way into
// HTML. Text goes through escapeHtml; data goes into a non-executable JSON script block through
// jsonForScript, which leaves no "<" in the block so "</script>" cannot end it early.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** JSON safe to place between <script type="application/json"> tags. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** An inlined third-party script must not contain what would end or confuse a script element. */
export function assertInlineSafe(name: string, js: string): void {
  if (/<\/script|<!--|<script/i.test(js)) {
    throw new Error(`${name}: cannot be inlined (contains "</script", "<script" or "<!--")`);
  }
}
