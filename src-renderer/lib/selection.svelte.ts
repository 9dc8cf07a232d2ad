// What the user picked that every view follows: the namespace ('' = all namespaces).
class Selection {
  namespace = $state('');
}

export const selection = new Selection();
