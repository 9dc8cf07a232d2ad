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
