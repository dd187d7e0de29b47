// What the store can do before a query sees an event: the `filter` commands at the head of the
// query (before anything that could set @message or @type) are turned into a filter pattern
// (../filter-terms.ts, CompiledPattern) that every event they match also matches — a necessary
// check on the message alone, plus the whole words such events must contain so that a store's
// text index can skip the rest. The stages still apply the filter exactly afterwards.
//   @message like "text" / /literal/   →  the message contains the text (which a store may check in
//                                         its own query: CompiledPattern.contains); its inner whole words
//   @type = "REPORT" (START, END)      →  the message starts with that platform line's head
//   a and b                            →  both;   a or b → either (when both narrow)
// Anything else narrows nothing.
import type { Command, Expr } from './ast.js';
import { allOf, WORD_CHARS, type CompiledPattern, type WordQuery } from '../filter-terms.js';

interface Check {
  readonly test: (message: string) => boolean;
  readonly words: WordQuery | undefined;
  readonly weight: number;
  /** Substrings every match contains (CompiledPattern.contains). */
  readonly contains?: readonly string[];
}

const PLATFORM_HEADS: Readonly<Record<string, string>> = { REPORT: 'REPORT RequestId: ', START: 'START RequestId: ', END: 'END RequestId: ' };
const WORD = new RegExp(`[${WORD_CHARS}]+`, 'gu');
/** A regex that is plain text: no character with a meaning in RE2's syntax. */
const PLAIN = /^[^\\^$.|?*+()[\]{}]+$/;

export function pushdownPattern(commands: readonly Command[]): CompiledPattern | undefined {
  const checks: Check[] = [];
  for (const c of commands) {
    if (c.kind !== 'filter') break;
    const check = narrow(c.expr);
    if (check) checks.push(check);
  }
  if (checks.length === 0) return undefined;
  const contains = checks.flatMap((c) => c.contains ?? []);
  return {
    words: allOf(checks.flatMap((c) => (c.words === undefined ? [] : [c.words]))),
    weight: checks.reduce((w, c) => w + c.weight, 0),
    ...(contains.length > 0 ? { contains } : {}),
    test: (m) => checks.every((c) => c.test(m)),
  };
}

function narrow(e: Expr): Check | undefined {
  switch (e.kind) {
    case 'binary':
      if (e.op === 'and') {
        const a = narrow(e.left);
        const b = narrow(e.right);
        if (!a || !b) return a ?? b;
        return {
          test: (m) => a.test(m) && b.test(m), words: allOf([a.words, b.words].filter((w) => w !== undefined)), weight: a.weight + b.weight,
          contains: [...(a.contains ?? []), ...(b.contains ?? [])],
        };
      }
      if (e.op === 'or') {
        const a = narrow(e.left);
        const b = narrow(e.right);
        if (!a || !b) return undefined;
        const words = a.words !== undefined && b.words !== undefined ? { any: [a.words, b.words] } : undefined;
        return { test: (m) => a.test(m) || b.test(m), words, weight: a.weight + b.weight };
      }
      if (e.op === '=' && isField(e.left, '@type') && e.right.kind === 'literal' && typeof e.right.value === 'string') {
        const head = PLATFORM_HEADS[e.right.value];
        if (head === undefined) return { test: () => false, words: undefined, weight: 1 };
        return { test: (m) => m.startsWith(head), words: e.right.value, weight: 1 };
      }
      return undefined;
    case 'like': {
      if (e.negated || !isField(e.arg, '@message')) return undefined;
      const p = e.pattern;
      if (p.kind === 'literal' && typeof p.value === 'string') return contains(p.value);
      if (p.kind === 'regex') {
        if (PLAIN.test(p.source)) return contains(p.source);
        const re = p.re;
        return { test: (m) => re.test(m), words: undefined, weight: Math.max(1, Math.ceil(re.programSize() / 8)) };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function contains(text: string): Check {
  return { test: (m) => m.includes(text), words: innerWords(text), weight: 1, contains: text === '' ? [] : [text] };
}

/**
 * The whole words a message containing `text` must have: every word of `text` except one at
 * either end that could run on into the message's neighbouring characters (`out` in "timed out"
 * may be the start of "outage").
 */
function innerWords(text: string): WordQuery | undefined {
  const words: string[] = [];
  for (const m of text.matchAll(WORD)) {
    if (m.index === 0 || m.index + m[0].length === text.length) continue;
    words.push(m[0]);
  }
  return allOf([...new Set(words)]);
}

const isField = (e: Expr, name: string) => e.kind === 'field' && e.name === name;
