// `*` wildcards of JSON filter patterns (`{ $.user = "adm*n*" }`), matched without a regex: the
// pattern's literal pieces must appear in order, the first at the start and the last at the end.
// Taking each middle piece at its leftmost place is always right (leaving more room for the rest),
// so there is no backtracking: a `.*a.*a.*b` RegExp took 3.7 s on one short value, this takes a
// few indexOf calls.

export interface Glob {
  test(value: string): boolean;
}

export function compileGlob(pattern: string): Glob {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return { test: (v) => v === pattern };
  const head = pieces[0]!;
  const tail = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((p) => p !== '');
  const least = head.length + tail.length;
  return {
    test(value) {
      if (value.length < least || !value.startsWith(head) || !value.endsWith(tail)) return false;
      let at = head.length;
      const end = value.length - tail.length;
      for (const piece of middle) {
        const found = value.indexOf(piece, at);
        if (found < 0 || found + piece.length > end) return false;
        at = found + piece.length;
      }
      return true;
    },
  };
}
