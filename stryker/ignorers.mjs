// @ts-check
// The mutants both mutation runs leave out as equivalent, by rule (Stryker's `ignorers` option:
// an ignored node takes its whole subtree with it; the report lists them as Ignored with the
// reason below). Loaded by stryker.shared.mjs for both runs. docs/testing.md "Mutation testing".
import { PluginKind, declareValuePlugin } from '@stryker-mutator/api/plugin';

const reasons = {
  mark: 'coverage mark: mark() only counts a name for the coverage report, it changes no kernel state',
  bugName: 'injected-bug switch name: without --bugs no switch is on, so bugs.has() is false whatever the name',
  bugBranch: 'injected-bug branch: its test is false unless an injected bug is switched on (the test itself stays mutated)',
  message: 'error message: a broken invariant throws, and its text is for the reader, not for any result',
};

/** `bugs.has(...)`, `k.bugs.has(...)`, `ctx.k.bugs.has(...)`. */
function isBugsHas(node) {
  if (node?.type !== 'CallExpression') return false;
  const callee = node.callee;
  if (callee.type !== 'MemberExpression' || callee.computed || callee.property.name !== 'has') return false;
  const obj = callee.object;
  return (obj.type === 'Identifier' && obj.name === 'bugs') ||
    (obj.type === 'MemberExpression' && !obj.computed && obj.property.name === 'bugs');
}

/** Whether `test` is false whenever every bugs.has() is false: a bugs.has() call, or && with one, or || of such. */
function onlyUnderBug(test) {
  if (test == null) return false;
  if (test.type === 'ParenthesizedExpression' || test.type === 'TSAsExpression') return onlyUnderBug(test.expression);
  if (isBugsHas(test)) return true;
  if (test.type === 'LogicalExpression' && test.operator === '&&') return onlyUnderBug(test.left) || onlyUnderBug(test.right);
  if (test.type === 'LogicalExpression' && test.operator === '||') return onlyUnderBug(test.left) && onlyUnderBug(test.right);
  return false;
}

function isErrorConstruction(node) {
  return node?.type === 'NewExpression' && node.callee.type === 'Identifier' && /(Error|Panic)$/.test(node.callee.name);
}

/** @type {import('@stryker-mutator/api/ignore').Ignorer} */
const equivalents = {
  shouldIgnore(path) {
    const parent = path.parent;
    if (parent == null) return undefined;
    if (path.listKey === 'arguments' && parent.type === 'CallExpression' && parent.callee.type === 'Identifier' && parent.callee.name === 'mark') {
      return reasons.mark;
    }
    if (path.listKey === 'arguments' && isBugsHas(parent)) return reasons.bugName;
    if (path.key === 'consequent' && (parent.type === 'IfStatement' || parent.type === 'ConditionalExpression') && onlyUnderBug(parent.test)) {
      return reasons.bugBranch;
    }
    const literal = path.isStringLiteral() || path.isTemplateLiteral();
    if (literal && path.listKey === 'arguments' && isErrorConstruction(parent)) return reasons.message;
    if (literal && path.key === 'argument' && parent.type === 'ThrowStatement') return reasons.message;
    return undefined;
  },
};

export const strykerPlugins = [declareValuePlugin(PluginKind.Ignore, 'ProcfsEquivalents', equivalents)];
