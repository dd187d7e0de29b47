// Symbolic links in an uploaded package are kept (node_modules/.bin/* and similar need them) as
// long as following them can never leave the package folder. Checked on a model of the package
// (the links it declares), not on the disk, so the answer does not depend on what exists around
// the folder: every link, followed through every other link it meets, must stay inside.

const MAX_HOPS = 40; // Linux's own limit (MAXSYMLINKS)
/** Path components walked per link at most: bounds the work a hostile package can cause. */
const MAX_STEPS = 4096;

/**
 * Why `links` cannot be kept, or undefined when they are all safe.
 * `links` maps a link's path (relative, '/'-separated, normalised) to its target as stored.
 */
export function unsafeLink(links: ReadonlyMap<string, string>): string | undefined {
  for (const [path, target] of links) {
    if (target.length === 0 || target.includes('\0')) return `symlink '${path}' has an invalid target`;
    if (target.startsWith('/')) return `symlink '${path}' points to an absolute path`;
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const ancestor = parts.slice(0, i).join('/');
      if (links.has(ancestor)) return `symlink '${path}' lies inside symlink '${ancestor}'`;
    }
    const start = [...parts.slice(0, -1), ...target.split('/')];
    const why = resolveInside(links, start);
    if (why) return `symlink '${path}' ${why}`;
  }
  return undefined;
}

/** Walk `parts` from the package root, substituting links; say why it escapes or loops. */
function resolveInside(links: ReadonlyMap<string, string>, parts: string[]): string | undefined {
  const stack: string[] = [];
  const queue = [...parts];
  let hops = 0;
  let steps = 0;
  while (queue.length > 0) {
    if (++steps > MAX_STEPS) return 'is nested too deeply';
    const part = queue.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (stack.length === 0) return 'points outside the package';
      stack.pop();
      continue;
    }
    stack.push(part);
    const target = links.get(stack.join('/'));
    if (target === undefined) continue;
    if (++hops > MAX_HOPS) return 'is part of a symlink loop';
    if (target.startsWith('/')) return 'leads to an absolute path';
    stack.pop();
    queue.unshift(...target.split('/'));
  }
  return undefined;
}
