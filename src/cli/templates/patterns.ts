// Serverless `package.patterns`: globs applied in order over every file of the service's folder;
// a pattern adds the files it matches, `!pattern` takes them out again. Globs know `**` (any
// folders), `*` and `?` (within one name) and `{a,b}`; a pattern that names a folder covers
// everything under it.

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else {
        re += '.*';
      }
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) {
        re += '\\{';
        continue;
      }
      re += `(?:${glob.slice(i + 1, end).split(',').map(escape).join('|')})`;
      i = end;
    } else {
      re += escapeRegex(c);
    }
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}

function escapeRegex(s: string): string {
  return s.replace(/[.+^$()|[\]\\{}*?]/g, '\\$&');
}

/** A file filter for the patterns (undefined when there are none: every file goes in). */
export function patternFilter(patterns: readonly string[]): ((rel: string) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  const rules = patterns.map((p) => {
    const exclude = p.startsWith('!');
    const glob = (exclude ? p.slice(1) : p).replace(/^\.\//, '');
    return { exclude, re: globToRegExp(glob) };
  });
  return (rel) => {
    let keep = true;
    for (const r of rules) if (r.re.test(rel)) keep = !r.exclude;
    return keep;
  };
}
