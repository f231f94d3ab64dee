// FRR model → frr.conf text through the handlebars templates in `templates/`. Pure: the template
// sources are passed in (src/frr/templates.ts reads them from disk).
import Handlebars from 'handlebars';
import type { FrrModel } from './model.js';

export interface FrrTemplateSources {
  readonly main: string;
  /** partial name → source */
  readonly partials: Readonly<Record<string, string>>;
}

export type FrrRenderer = (model: FrrModel) => string;

// Printable ASCII without spaces inside one token would be too strict for whole lines; a line may
// hold spaces between tokens but never a control character (a newline would be a new FRR command).
const SAFE_LINE = /^[\x20-\x7e]*$/;

export function createFrrRenderer(sources: FrrTemplateSources): FrrRenderer {
  // An isolated environment: no global helpers or partials leak in; `noEscape` because this is not HTML.
  const handlebars = Handlebars.create();
  for (const [name, source] of Object.entries(sources.partials)) {
    handlebars.registerPartial(name, handlebars.compile(source, { noEscape: true, strict: false }));
  }
  const template = handlebars.compile(sources.main, { noEscape: true });
  return (model) => {
    const text = template(model);
    for (const line of text.split('\n')) {
      // Values were parsed from strict grammars before they reached the model; this is the last guard.
      if (!SAFE_LINE.test(line))
        throw new Error(`bug: unsafe character in rendered frr.conf line ${JSON.stringify(line)}`);
    }
    return text;
  };
}
