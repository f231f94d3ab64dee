// Collects the errors and warnings of one buildConfig run, sorted at the end so that the result does
// not depend on input order. `fatal` marks errors that invalidate the whole configuration.
import type { ConfigError } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';
import type { FieldProblem } from '../util/field-problem.js';

function compareErrors(a: ConfigError, b: ConfigError): number {
  const keys = (error: ConfigError) => [
    error.object.kind,
    error.object.namespace,
    error.object.name,
    error.field,
    error.message,
  ];
  const left = keys(a);
  const right = keys(b);
  for (let index = 0; index < left.length; index += 1) {
    const order = (left[index] ?? '').localeCompare(right[index] ?? '', 'en');
    if (order !== 0) return order;
  }
  return 0;
}

export class Issues {
  private readonly errorList: ConfigError[] = [];
  private readonly warningList: ConfigError[] = [];
  private fatalSeen = false;

  error(object: ObjectRef, field: string, message: string, options: { fatal?: boolean } = {}): void {
    this.errorList.push({ object, field, message });
    if (options.fatal === true) this.fatalSeen = true;
  }

  problems(object: ObjectRef, problems: readonly FieldProblem[]): void {
    for (const problem of problems) this.error(object, problem.field, problem.message);
  }

  warning(object: ObjectRef, field: string, message: string): void {
    this.warningList.push({ object, field, message });
  }

  get fatal(): boolean {
    return this.fatalSeen;
  }

  get errors(): ConfigError[] {
    return dedupe(this.errorList).sort(compareErrors);
  }

  get warnings(): ConfigError[] {
    return dedupe(this.warningList).sort(compareErrors);
  }
}

function dedupe(errors: readonly ConfigError[]): ConfigError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = JSON.stringify(error);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
