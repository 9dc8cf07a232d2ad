// Monaco with YAML and monaco-yaml, loaded only when the manifest editor opens (the view imports
// this module dynamically). Only the editor features the manifest editor uses are pulled in, not
// every language Monaco ships. The two workers (Monaco's own and the YAML language server) are
// Vite `?worker` bundles served from our own origin, so the CSP needs no blob: or eval.
import * as monaco from 'monaco-editor/editor/editor.api';
import 'monaco-editor/editor/contrib/hover/browser/hoverContribution';
import 'monaco-editor/editor/contrib/suggest/browser/suggestController';
import 'monaco-editor/editor/contrib/suggest/browser/suggestInlineCompletions';
import 'monaco-editor/editor/contrib/folding/browser/folding';
import 'monaco-editor/editor/contrib/bracketMatching/browser/bracketMatching';
import 'monaco-editor/editor/contrib/clipboard/browser/clipboard';
import 'monaco-editor/editor/contrib/comment/browser/comment';
import 'monaco-editor/editor/contrib/contextmenu/browser/contextmenu';
import 'monaco-editor/editor/contrib/find/browser/findController';
import 'monaco-editor/features/find/register';
import 'monaco-editor/editor/contrib/gotoError/browser/gotoError';
import 'monaco-editor/editor/contrib/gotoError/browser/markerSelectionStatus';
import 'monaco-editor/editor/contrib/indentation/browser/indentation';
import 'monaco-editor/editor/contrib/linesOperations/browser/linesOperations';
import 'monaco-editor/editor/contrib/multicursor/browser/multicursor';
import 'monaco-editor/editor/contrib/wordHighlighter/browser/wordHighlighter';
import 'monaco-editor/editor/contrib/wordOperations/browser/wordOperations';
import 'monaco-editor/editor/contrib/snippet/browser/snippetController2';
import 'monaco-editor/editor/contrib/format/browser/formatActions';
import 'monaco-editor/editor/contrib/codeAction/browser/codeActionContributions';
import 'monaco-editor/editor/browser/widget/diffEditor/diffEditor.contribution';
import 'monaco-editor/editor/browser/coreCommands';
import 'monaco-editor/editor/common/standaloneStrings';
import 'monaco-editor/features/codicon/register';
import 'monaco-editor/languages/definitions/yaml/register';
import { configureMonacoYaml, type MonacoYaml } from 'monaco-yaml';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import YamlWorker from './yaml.worker.ts?worker';

export type Monaco = typeof monaco;

/** The models' URIs: the schema applies to every manifest model. */
export const MANIFEST_GLOB = 'kubelab://manifest/**';

globalThis.MonacoEnvironment = {
  getWorker(_id: string, label: string) {
    return label === 'yaml' ? new YamlWorker() : new EditorWorker();
  },
};

let yaml: MonacoYaml | undefined;

/** Monaco, with monaco-yaml validating, completing and documenting against `schema`. */
export function setupMonaco(schema: Record<string, unknown> | undefined): Monaco {
  const schemas = schema ? [{ uri: 'kubelab://schema/cluster-openapi', fileMatch: [MANIFEST_GLOB], schema: schema as never }] : [];
  // One monaco-yaml instance per page (its rule); a new cluster's schema updates it.
  if (yaml) void yaml.update({ schemas });
  else yaml = configureMonacoYaml(monaco, { enableSchemaRequest: false, validate: true, completion: true, hover: true, schemas });
  return monaco;
}

export { monaco };
