// Browser mode's access token. `kubelab` prints https://host:port/#token=...; the fragment never
// reaches the server or a Referer. The page keeps it for the tab's lifetime in sessionStorage and
// removes it from the address bar, so it is not left in history or shared with a screenshot.
const KEY = 'kubelab.token';

export function takeTokenFromLocation(): string | undefined {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash) {
    sessionStorage.setItem(KEY, fromHash);
    params.delete('token');
    const rest = params.toString();
    history.replaceState(history.state, '', location.pathname + location.search + (rest ? `#${rest}` : ''));
    return fromHash;
  }
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
