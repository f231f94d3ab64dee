// FRR model → frr.conf text through the handlebars templates in `templates/`. Pure: the template
// sources are passed in (src/frr/templates.ts reads them from disk), and so are templates the build
// precompiled: with all of them precompiled only handlebars' small runtime is loaded, not its
// compiler (with source-map), which was a fifth of `ferry render`'s start.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { FrrModel } from './model.js';

const require = createRequire(import.meta.url);
type HandlebarsRuntime = typeof import('handlebars');
type TemplateSpecification = Parameters<HandlebarsRuntime['template']>[0];

export interface FrrTemplateSources {
  readonly main: string;
  /** partial name → source */
  readonly partials: Readonly<Record<string, string>>;
}

export type FrrRenderer = (model: FrrModel) => string;

// Printable ASCII without spaces inside one token would be too strict for whole lines; a line may
// hold spaces between tokens but never a control character (a newline would be a new FRR command).
const SAFE_LINE = /^[\x20-\x7e]*$/;

/**
 * How each template is compiled; `noEscape` because this is not HTML. Frozen and only ever passed as
 * copies: handlebars' compiler adds fields to the options it is given, and a mutated constant would
 * change the keys of the templates compiled after it, so the build's precompiled ones went unused.
 */
export const MAIN_OPTIONS = Object.freeze({ noEscape: true } as const);
export const PARTIAL_OPTIONS = Object.freeze({ noEscape: true, strict: false } as const);

/** The key of a precompiled template: its source and the options it was compiled with. */
export function templateKey(source: string, options: object): string {
  return createHash('sha256').update(JSON.stringify(options)).update('\0').update(source).digest('hex');
}

/** Precompiled templates by `templateKey`. */
export type PrecompiledTemplates = Readonly<Record<string, TemplateSpecification>>;

export function createFrrRenderer(
  sources: FrrTemplateSources,
  precompiled: PrecompiledTemplates = {},
): FrrRenderer {
  const specs = [
    ...Object.values(sources.partials).map((source) => precompiled[templateKey(source, PARTIAL_OPTIONS)]),
    precompiled[templateKey(sources.main, MAIN_OPTIONS)],
  ];
  const allPrecompiled = specs.every((spec) => spec !== undefined);
  // An isolated environment: no global helpers or partials leak in. The runtime is the package's
  // one-file build of it: the same code as `handlebars/runtime`, without loading its 21 modules.
  const handlebars = (
    allPrecompiled ? require('handlebars/dist/handlebars.runtime.js') : require('handlebars')
  ) as HandlebarsRuntime;
  const environment = handlebars.create();
  const compiled = (source: string, options: typeof MAIN_OPTIONS | typeof PARTIAL_OPTIONS) => {
    const spec = precompiled[templateKey(source, options)];
    return spec !== undefined ? environment.template(spec) : environment.compile(source, { ...options });
  };
  for (const [name, source] of Object.entries(sources.partials)) {
    environment.registerPartial(name, compiled(source, PARTIAL_OPTIONS));
  }
  const template = compiled(sources.main, MAIN_OPTIONS);
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
