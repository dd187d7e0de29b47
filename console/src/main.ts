// The console's shell: the top bar, and the router that maps /console/… paths to pages.
import './styles.css';
import { clear, h } from './dom.js';
import { BASE, onNavigate, path } from './nav.js';
import type { Page } from './page.js';
import { errorsPage } from './pages/errors.js';
import { functionPage } from './pages/function.js';
import { functionsPage } from './pages/functions.js';
import { invocationPage } from './pages/invocation.js';
import { invocationsPage } from './pages/invocations.js';
import { invokePage } from './pages/invoke.js';
import { nodesPage } from './pages/nodes.js';
import { tailPage } from './pages/tail.js';
import { queryPage } from './pages/query.js';
import { failure } from './ui.js';

interface Route {
  readonly pattern: RegExp;
  readonly keys: readonly string[];
  readonly page: Page;
  readonly nav: string;
  readonly title: (p: Record<string, string>) => string;
}

const ROUTES: Route[] = [
  { pattern: /^\/?$/, keys: [], page: functionsPage, nav: 'functions', title: () => 'Functions' },
  { pattern: /^\/functions\/([^/]+)$/, keys: ['name'], page: functionPage, nav: 'functions', title: (p) => p.name! },
  { pattern: /^\/invocations\/?$/, keys: [], page: invocationsPage, nav: 'invocations', title: () => 'Invocations' },
  { pattern: /^\/invocations\/([^/]+)$/, keys: ['id'], page: invocationPage, nav: 'invocations', title: (p) => `Invocation ${p.id!.slice(0, 8)}` },
  { pattern: /^\/errors\/?$/, keys: [], page: errorsPage, nav: 'errors', title: () => 'Errors' },
  { pattern: /^\/tail\/?$/, keys: [], page: tailPage, nav: 'tail', title: () => 'Live tail' },
  { pattern: /^\/query\/?$/, keys: [], page: queryPage, nav: 'query', title: () => 'Query' },
  { pattern: /^\/invoke\/?$/, keys: [], page: invokePage, nav: 'invoke', title: () => 'Invoke' },
  { pattern: /^\/nodes\/?$/, keys: [], page: nodesPage, nav: 'nodes', title: () => 'Nodes' },
];

const NAV: [string, string, string][] = [
  ['functions', '/', 'Functions'], ['invocations', '/invocations', 'Invocations'], ['errors', '/errors', 'Errors'],
  ['tail', '/tail', 'Live tail'], ['query', '/query', 'Query'], ['invoke', '/invoke', 'Invoke'], ['nodes', '/nodes', 'Nodes'],
];

const main = h('main#main', { tabIndex: -1 });
const links = NAV.map(([key, href, label]) => h('a', { href: path(href), 'data-nav': '', dataset: { key } }, label));
document.getElementById('app')!.replaceWith(h('div#app',
  h('a.skip', { href: '#main' }, 'Skip to content'),
  h('header.top', h('a.brand', { href: path('/'), 'data-nav': '' }, h('span.logo', 'λ'), 'lambkin'), h('nav', { 'aria-label': 'Pages' }, links)),
  main));

let current: AbortController | undefined;

function render(): void {
  current?.abort();
  current = new AbortController();
  const rel = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  const route = ROUTES.find((r) => r.pattern.test(rel));
  const root = h('div.page');
  main.replaceChildren(root);
  for (const a of links) a.toggleAttribute('aria-current', a.dataset.key === route?.nav);
  if (!route) {
    document.title = 'Not found · lambkin';
    clear(root, h('div.state.empty', h('p.title', 'No such page'), h('p', h('a', { href: path('/'), 'data-nav': '' }, 'Go to the functions'))));
    return;
  }
  const m = route.pattern.exec(rel)!;
  const params = Object.fromEntries(route.keys.map((k, i) => [k, decodeURIComponent(m[i + 1]!)]));
  document.title = `${route.title(params)} · lambkin`;
  const signal = current.signal;
  Promise.resolve(route.page({ root, params, query: new URLSearchParams(location.search), signal })).catch((err: unknown) => {
    if (!signal.aborted) clear(root, failure(err));
  });
  window.scrollTo(0, 0);
}

onNavigate(render);
render();
