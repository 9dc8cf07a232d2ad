// Hash routes: #/pods?namespace=default. The hash keeps a view across reloads and works the same
// from file:// (the desktop app) and https:// (browser mode). Query values are strings.
export interface Route {
  view: string;
  query: Record<string, string>;
}

function parse(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#\/?/, '').split('?', 2);
  const query = Object.fromEntries(new URLSearchParams(search));
  return { view: path || 'overview', query };
}

export function href(view: string, query: Record<string, string | undefined> = {}): string {
  const defined = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '');
  const search = new URLSearchParams(defined).toString();
  return `#/${view}${search ? `?${search}` : ''}`;
}

class Router {
  route = $state<Route>(parse(typeof location === 'undefined' ? '' : location.hash));

  constructor() {
    if (typeof window !== 'undefined') window.addEventListener('hashchange', () => (this.route = parse(location.hash)));
  }

  go(view: string, query: Record<string, string | undefined> = {}): void {
    const next = href(view, query);
    if (location.hash !== next) location.hash = next;
    else this.route = parse(next);
  }
}

export const router = new Router();
