// Kubernetes' $(VAR) expansion for command, args and env values (the kubelet's
// third_party/forked/golang/expansion): `$(NAME)` becomes NAME's value when NAME is defined and
// stays as written when it is not; `$$` is an escaped `$`; a `$` before anything else, or an
// unclosed `$(`, is kept literally.

export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input[i];
    if (c !== '$' || i + 1 >= input.length) {
      out += c;
      i += 1;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        // Unclosed: upstream emits "$(" and carries on scanning after it.
        out += '$(';
        i += 2;
      } else {
        const name = input.slice(i + 2, close);
        out += lookup(name) ?? `$(${name})`;
        i = close + 1;
      }
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}
