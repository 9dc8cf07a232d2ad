// The URL printed for browser mode. The token rides in the fragment: browsers never send the
// fragment to the server or in a Referer, so it does not end up in logs; the page moves it to
// sessionStorage and strips it from the address bar.
export function uiURL(baseUrl: string, token: string): string {
  const url = new URL(baseUrl);
  url.pathname = '/';
  url.search = '';
  url.hash = `token=${encodeURIComponent(token)}`;
  return url.toString();
}

/**
 * The server URL for an in-process client: a server bound to every address (0.0.0.0, ::) is
 * reached on loopback, which its certificate covers.
 */
export function loopbackURL(serverUrl: string): string {
  const url = new URL(serverUrl);
  if (url.hostname === '0.0.0.0') url.hostname = '127.0.0.1';
  else if (url.hostname === '[::]') url.hostname = '[::1]';
  return url.origin;
}
