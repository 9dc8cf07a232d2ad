// monaco-yaml's language server as a worker entry of our own, so Vite bundles it as a worker.
import 'monaco-yaml/yaml.worker.js';
