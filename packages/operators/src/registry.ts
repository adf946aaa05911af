/**
 * The operator registry: the paper's 12 operators plus any user plugins. The executor receives a
 * registry by injection (core never imports this package).
 * @public
 */
import type { Operator, OperatorRegistry, OperatorSpec } from '@flowsteer/core';
import { aggregate } from './operators/aggregate.ts';
import { answerGenerate } from './operators/answerGenerate.ts';
import { custom } from './operators/custom.ts';
import { decompose } from './operators/decompose.ts';
import { format } from './operators/format.ts';
import { plan } from './operators/plan.ts';
import { programmer } from './operators/programmer.ts';
import { review } from './operators/review.ts';
import { revise } from './operators/revise.ts';
import { scEnsemble } from './operators/scEnsemble.ts';
import { test } from './operators/test.ts';
import { verify } from './operators/verify.ts';

/** The paper's 12 operators, in the order of spec §2. */
export const builtinOperators: readonly Operator[] = Object.freeze([
  custom,
  answerGenerate,
  programmer,
  scEnsemble,
  test,
  review,
  revise,
  decompose,
  verify,
  plan,
  aggregate,
  format,
]);

/** A registry that can also be extended after creation. */
export interface MutableOperatorRegistry extends OperatorRegistry {
  /** All registered operators, built-ins first, in registration order. */
  list(): readonly Operator[];
}

class MapRegistry implements MutableOperatorRegistry {
  readonly operators = new Map<string, Operator>();

  get(name: string): Operator | undefined {
    return this.operators.get(name);
  }

  has(name: string): boolean {
    return this.operators.has(name);
  }

  names(): readonly string[] {
    return [...this.operators.keys()];
  }

  list(): readonly Operator[] {
    return [...this.operators.values()];
  }
}

/**
 * Adds a user operator (built with `defineOperator`) to a registry created by `createOperatorRegistry`.
 * Replacing an existing name requires `{ replace: true }`, so a plugin cannot shadow a built-in by accident.
 */
export function registerOperator(registry: MutableOperatorRegistry, operator: Operator, options: { replace?: boolean } = {}): void {
  if (!(registry instanceof MapRegistry)) throw new TypeError('[operators] expected a registry made by createOperatorRegistry()');
  if (typeof operator.run !== 'function' || typeof operator.name !== 'string') {
    throw new TypeError(`[operators] expected an Operator with a name and run(), got ${typeof operator}`);
  }
  if (registry.has(operator.name) && !options.replace) {
    throw new TypeError(`[operators] operator "${operator.name}" is already registered; pass { replace: true } to override it`);
  }
  registry.operators.set(operator.name, operator);
}

/** A registry holding the 12 built-in operators plus `extra` (user plugins, registered in order). */
export function createOperatorRegistry(extra: readonly Operator[] = []): MutableOperatorRegistry {
  const registry = new MapRegistry();
  for (const operator of builtinOperators) registry.operators.set(operator.name, operator);
  for (const operator of extra) registerOperator(registry, operator);
  return registry;
}

/** The shared registry of the 12 built-ins. Create your own with `createOperatorRegistry` to add plugins. */
export const defaultOperatorRegistry: OperatorRegistry = createOperatorRegistry();

/** Static specs (no `run`) of a registry's operators, for UIs and the policy's guidance cards. */
export function listOperatorSpecs(registry: OperatorRegistry = defaultOperatorRegistry): OperatorSpec[] {
  const specs: OperatorSpec[] = [];
  for (const name of registry.names()) {
    const operator = registry.get(name);
    if (!operator) continue;
    specs.push({
      name: operator.name,
      category: operator.category,
      description: operator.description,
      inputs: operator.inputs,
      outputs: operator.outputs,
      defaultPrompt: operator.defaultPrompt,
      ...(operator.consumesCandidates === undefined ? {} : { consumesCandidates: operator.consumesCandidates }),
      ...(operator.forbiddenInParallel === undefined ? {} : { forbiddenInParallel: operator.forbiddenInParallel }),
    });
  }
  return specs;
}
