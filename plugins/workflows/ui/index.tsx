// The workflows plugin's admin pages, keyed by the page paths of its manifest
// (plugins/workflows/index.ts): the workflows list and the run history (members read them), and
// the editor for owners and admins (a new workflow, or ?id=… to edit one).
import { addMessages } from 'plinth/plugin/ui';
import { EditorPage } from './editor.js';
import { WorkflowsPage } from './list.js';
import { RunsPage } from './runs.js';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };

addMessages({ en, 'zh-CN': zhCN });

export const pages = {
  '': WorkflowsPage,
  edit: EditorPage,
  runs: RunsPage,
};
