// BGP passwords live in frr.conf (`neighbor X password S`) and must never reach logs, status, Events or
// error messages (docs/design.md §6). Everything the apply engine reports that may quote config goes through here.

// The rest of the line after `password`: FRR also knows `password 8 <hash>`, and a value is one token.
const PASSWORD = /\bpassword[ \t]+[^\n]*/g;

export const REDACTED = '<redacted>';

/** The text with every `password …` value replaced, up to the end of its line. */
export function redactSecrets(text: string): string {
  return text.replace(PASSWORD, `password ${REDACTED}`);
}
