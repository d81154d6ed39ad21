// @apollo/gateway 2.14.4 shapes every answer (computeResponse in resultShaping.js) by walking the
// operation's selections over the merged subgraph data. For every selection on every object it filters
// the selection's directives twice for @skip/@include, asks for its response name and field type, and
// checks each leaf value against the schema: about 2 ms of CPU for a 25 KB ad-hoc answer. This is the
// same walk, decision for decision, with what depends only on the operation worked out once per
// selection set (kept with the operation, which operation-memo.ts reuses across requests) and the type
// checks remembered per type. test/result-shaping.test.ts compares its answers and errors with
// Apollo's on real and corrupted subgraph data. Pinned to the version in package.json like the memo.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any -- federation-internals' classes, untyped here */
type Any = any;

const fed = require('@apollo/federation-internals') as {
  isObjectType(t: Any): boolean;
  isCompositeType(t: Any): boolean;
  isCustomScalarType(t: Any): boolean;
  isSubtype(a: Any, b: Any): boolean;
  isValidLeafValue(schema: Any, value: unknown, type: Any): boolean;
  Variable: new (...args: Any[]) => Any;
  ERRORS: { INVALID_GRAPHQL: { err(message: string, options: { path: (string | number)[] }): Any } };
  typenameFieldName: string;
};
const gatewayShaping = require('@apollo/gateway/dist/resultShaping.js') as { computeResponse: ComputeResponse };

export interface ComputeResponseArgs {
  operation: Any;
  variables: Record<string, unknown> | undefined;
  input: Record<string, unknown> | null | undefined;
  introspectionHandling: (selection: Any) => Any;
}
export type ComputeResponse = (args: ComputeResponseArgs) => { data: Any; errors: Any[] };

/** Apollo's own, as installed (for the comparison test). */
export const apolloComputeResponse: ComputeResponse = gatewayShaping.computeResponse;

const TYPENAME = fed.typenameFieldName;
const OK = 0;
const NULL_BUBBLE_UP = 1;

interface Parameters {
  schema: Any;
  variables: Record<string, unknown>;
  errors: Any[];
  introspectionHandling: (selection: Any) => Any;
}

/** One selection, with everything that depends only on the operation worked out. */
interface Step {
  field: boolean;
  /** @skip and @include, when the selection has either. */
  skip: Any | undefined;
  include: Any | undefined;
  conditional: boolean;
  selection: Any;
  selectionSet: Any;
  // Fields
  responseName: string;
  introspection: boolean;
  typename: boolean;
  type: Any;
  // Fragments
  typeCondition: Any;
}

const steps = new WeakMap<object, Step[]>();

function stepsOf(selectionSet: Any): Step[] {
  let compiled = steps.get(selectionSet);
  if (compiled) return compiled;
  compiled = [];
  for (const selection of selectionSet.selections()) {
    const element = selection.element;
    const skip = element.appliedDirectivesOf('skip')[0];
    const include = element.appliedDirectivesOf('include')[0];
    const field = selection.kind === 'FieldSelection';
    compiled.push({
      field,
      skip,
      include,
      conditional: skip !== undefined || include !== undefined,
      selection,
      selectionSet: selection.selectionSet,
      responseName: field ? element.responseName() : '',
      introspection: field ? element.definition.isSchemaIntrospectionField() : false,
      typename: field ? element.name === TYPENAME : false,
      type: field ? element.definition.type : undefined,
      typeCondition: field ? undefined : element.typeCondition,
    });
  }
  steps.set(selectionSet, compiled);
  return compiled;
}

function ifValue(directive: Any, variables: Record<string, unknown>): boolean {
  const ifArg = directive.arguments().if;
  if (ifArg instanceof fed.Variable) {
    const value = variables[ifArg.name];
    if (!(value !== undefined && typeof value === 'boolean')) throw new Error(`Unexpected value ${String(value)} for variable ${String(ifArg)} of ${String(directive)}`);
    return value;
  }
  return ifArg;
}

function shouldSkip(step: Step, variables: Record<string, unknown>): boolean {
  return (step.skip && ifValue(step.skip, variables)) || (step.include && !ifValue(step.include, variables));
}

const subtypes = new WeakMap<object, Map<string, boolean>>();

function typeConditionApplies(schema: Any, typeCondition: Any, typename: string | undefined, parentType: Any): boolean {
  if (!typeCondition) return true;
  let known = subtypes.get(typeCondition);
  if (!known) subtypes.set(typeCondition, (known = new Map()));
  // Type names are unique within the one schema a type condition belongs to.
  const key = typename ? `=${typename}` : `^${parentType.name}`;
  let applies = known.get(key);
  if (applies === undefined) {
    if (typename) {
      const type = schema.type(typename);
      applies = !!type && fed.isSubtype(typeCondition, type);
    } else {
      applies = fed.isSubtype(typeCondition, parentType);
    }
    known.set(key, applies);
  }
  return applies;
}

const customScalars = new WeakMap<object, boolean>();

function isValidLeaf(schema: Any, value: unknown, type: Any): boolean {
  let custom = customScalars.get(type);
  if (custom === undefined) customScalars.set(type, (custom = fed.isCustomScalarType(type)));
  return custom || fed.isValidLeafValue(schema, value, type);
}

const hasOwn = Object.prototype.hasOwnProperty;

function applySelectionSet(input: Any, selectionSet: Any, output: Any, parameters: Parameters, path: (string | number)[], parentType: Any): number {
  for (const step of stepsOf(selectionSet)) {
    if (step.conditional && shouldSkip(step, parameters.variables)) continue;
    if (step.field) {
      const responseName = step.responseName;
      const outputValue = output[responseName];
      if (step.introspection) {
        if (outputValue === undefined) output[responseName] = parameters.introspectionHandling(step.selection);
        continue;
      }
      let inputValue = (hasOwn.call(input, responseName) ? input[responseName] : undefined) ?? null;
      if (step.typename) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== TYPENAME) inputValue = input[TYPENAME] ?? null;
          const type = inputValue !== null && typeof inputValue === 'string' ? (parameters.schema.type(inputValue) ?? parentType) : parentType;
          if (!fed.isObjectType(type)) return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      const result = updateOutputValue(outputValue, step.type, inputValue, step.selectionSet, path, parameters, parentType);
      output[responseName] = result.updated;
      path.pop();
      if (result.isInvalid) return NULL_BUBBLE_UP;
    } else {
      const typename = input[TYPENAME];
      if (!(!typename || typeof typename === 'string')) throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
      if (typeConditionApplies(parameters.schema, step.typeCondition, typename, parentType)) {
        const res = applySelectionSet(input, step.selectionSet, output, parameters, path, step.typeCondition ?? parentType);
        if (res === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
      }
    }
  }
  return OK;
}

function pathLastElementDescription(path: (string | number)[], currentType: Any, parentType: Any): string {
  const element = path[path.length - 1];
  if (element === undefined) throw new Error('Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${String(parentType)}.${element}` : `array element of type ${String(currentType)} at index ${element}`;
}

interface Updated {
  updated: unknown;
  isInvalid?: boolean;
  hasErrors?: boolean;
}

function updateOutputValue(outputValue: Any, type: Any, inputValue: Any, selectionSet: Any, path: (string | number)[], parameters: Parameters, parentType: Any): Updated {
  if (inputValue === undefined) throw new Error('Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && !selectionSet)) return { updated: outputValue };
  const kind = type.kind;
  if (kind === 'NonNullType') {
    const { updated, hasErrors } = updateOutputValue(outputValue, type.ofType, inputValue, selectionSet, path, parameters, parentType);
    if (updated === null) {
      if (!hasErrors) {
        parameters.errors.push(
          fed.ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${pathLastElementDescription(path, type.ofType, parentType)}.`, { path: Array.from(path) }),
        );
      }
      return { updated, isInvalid: true, hasErrors: true };
    }
    return { updated };
  }
  if (inputValue === null) return { updated: null };
  if (kind === 'ListType') {
    if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${String(type)}`);
    if (!(outputValue === undefined || Array.isArray(outputValue))) throw new Error(`Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${String(type)}`);
    const length = inputValue.length;
    if (outputValue !== undefined && length !== outputValue.length) {
      throw new Error(`[${String(inputValue)}].length (${length}) !== [${String(outputValue)}].length (${outputValue.length})`);
    }
    let shouldNullify = false;
    let hasErrors = false;
    const updated = new Array(length);
    for (let idx = 0; idx < length; idx++) {
      path.push(idx);
      const elt = updateOutputValue(outputValue === undefined ? undefined : outputValue[idx], type.ofType, inputValue[idx], selectionSet, path, parameters, parentType);
      path.pop();
      shouldNullify ||= !!elt.isInvalid;
      hasErrors ||= !!elt.hasErrors;
      updated[idx] = elt.updated;
    }
    return { updated: shouldNullify ? null : updated, hasErrors };
  }
  if (kind === 'ObjectType' || kind === 'InterfaceType' || kind === 'UnionType') {
    if (!selectionSet) throw new Error(`Invalid empty selection set for composite type ${String(type)}`);
    if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type)}`);
    if (!(outputValue === undefined || typeof outputValue === 'object')) throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(type)}`);
    const inputTypename = inputValue[TYPENAME];
    if (!(inputTypename === undefined || typeof inputTypename === 'string')) throw new Error(`Invalid non-string value ${String(inputTypename)} for __typename at ${String(path)}`);
    let objType = type;
    if (inputTypename) {
      const typenameType = parameters.schema.type(inputTypename);
      if (!typenameType || !fed.isCompositeType(typenameType)) {
        parameters.errors.push(fed.ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${pathLastElementDescription(path, type, parentType)}.`, { path: Array.from(path) }));
        return { updated: null, hasErrors: true };
      }
      objType = typenameType;
    }
    const outputValueObject = outputValue === undefined ? Object.create(null) : outputValue;
    const res = applySelectionSet(inputValue, selectionSet, outputValueObject, parameters, path, objType);
    const hasErrors = res === NULL_BUBBLE_UP;
    return { updated: hasErrors ? null : outputValueObject, hasErrors };
  }
  if (outputValue !== undefined) throw new Error(`Excepted output to be undefined but got ${String(type)} for type ${String(type)}`);
  const isValidValue = isValidLeaf(parameters.schema, inputValue, type);
  if (!isValidValue) {
    parameters.errors.push(fed.ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${pathLastElementDescription(path, type, parentType)}.`, { path: Array.from(path) }));
  }
  return { updated: isValidValue ? inputValue : null, hasErrors: !isValidValue };
}

/** computeResponse of @apollo/gateway's resultShaping.js, with the per-operation work done once. */
export const computeResponseFast: ComputeResponse = ({ operation, variables, input, introspectionHandling }) => {
  if (!input) return { data: input, errors: [] };
  const schema = operation.schema();
  const parameters: Parameters = {
    schema,
    variables: { __proto__: null, ...operation.collectDefaultedVariableValues(), ...variables },
    errors: [],
    introspectionHandling,
  };
  const data = Object.create(null);
  const res = applySelectionSet(input, operation.selectionSet, data, parameters, [], schema.schemaDefinition.rootType(operation.rootKind));
  return { data: res === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
};

/** Whether the faster shaping is installed (test/result-shaping.test.ts checks the patch point). */
export let fastResultShapingInstalled = false;

export function installFastResultShaping(): void {
  if (fastResultShapingInstalled || typeof gatewayShaping.computeResponse !== 'function') return;
  gatewayShaping.computeResponse = computeResponseFast;
  fastResultShapingInstalled = true;
}
