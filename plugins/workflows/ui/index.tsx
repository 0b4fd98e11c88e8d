// The workflows plugin's admin pages, keyed by the page paths of its manifest
// (plugins/workflows/index.ts): the workflows list and the run history (members read them), and
// the editor for owners and admins (a new workflow, or ?id=… to edit one).
import { EditorPage } from './editor.js';
import { WorkflowsPage } from './list.js';
import { RunsPage } from './runs.js';

export const pages = {
  '': WorkflowsPage,
  edit: EditorPage,
  runs: RunsPage,
};
