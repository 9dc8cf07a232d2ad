// Whether a name can be a namespace's, checked where the user types it (the renderer imports this
// pure module) and again on the main side, so a bad name never reaches the API server.
import { isDNS1123Label } from '../api/validation/names.ts';

/** The problem with a namespace name, in the API server's words, or undefined when it is valid. */
export function namespaceNameProblem(name: string): string | undefined {
  if (name === '') return 'a namespace needs a name';
  const problems = isDNS1123Label(name);
  return problems.length ? `invalid namespace name "${name}": ${problems.join('; ')}` : undefined;
}
