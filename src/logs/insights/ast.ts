// A parsed query: a pipeline of commands over expressions. `text` on an expression is how it was
// written (whitespace collapsed): a result column without `as` is named by it, as CloudWatch does.
import type { RE2JS } from 're2js';
import type { SourcePos } from './errors.js';

export type Expr =
  | { readonly kind: 'field'; readonly name: string; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'literal'; readonly value: string | number; readonly text: string; readonly pos: SourcePos }
  /** `5m` as an argument of bin/datefloor: milliseconds. */
  | { readonly kind: 'duration'; readonly ms: number; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'regex'; readonly re: RE2JS; readonly source: string; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'unary'; readonly op: 'not' | '-'; readonly arg: Expr; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'like'; readonly arg: Expr; readonly pattern: Expr; readonly negated: boolean; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'in'; readonly arg: Expr; readonly list: readonly Expr[]; readonly negated: boolean; readonly text: string; readonly pos: SourcePos }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Expr[]; readonly star: boolean; readonly text: string; readonly pos: SourcePos };

export type BinaryOp = 'and' | 'or' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '^';

/** An expression with the name its value gets in the results. */
export interface Named {
  readonly expr: Expr;
  readonly name: string;
}

export interface SortKey {
  readonly expr: Expr;
  readonly desc: boolean;
}

export type Command =
  | { readonly kind: 'fields'; readonly items: readonly Named[] }
  | { readonly kind: 'display'; readonly names: readonly string[] }
  | { readonly kind: 'filter'; readonly expr: Expr }
  | { readonly kind: 'stats'; readonly aggregates: readonly Named[]; readonly by: readonly Named[] }
  | { readonly kind: 'sort'; readonly keys: readonly SortKey[] }
  | { readonly kind: 'limit'; readonly count: number }
  | { readonly kind: 'dedup'; readonly fields: readonly Expr[] }
  | { readonly kind: 'parse'; readonly source: Expr; readonly pattern: ParsePattern };

/** `parse @message "a * b *" as x, y`, or `parse @message /(?<x>…)/`: names and how to find them. */
export type ParsePattern =
  | { readonly kind: 'glob'; readonly parts: readonly string[]; readonly names: readonly string[] }
  | { readonly kind: 'regex'; readonly re: RE2JS; readonly names: readonly string[] };

export interface Query {
  readonly commands: readonly Command[];
}
