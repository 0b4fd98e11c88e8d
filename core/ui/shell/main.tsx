// Entry of the admin UI bundle (dist/ui/shell.js + shell.css), loaded by the page core/http/admin-ui.ts serves.
import './shell.css';
import * as preact from 'preact';
import * as preactHooks from 'preact/hooks';
import * as jsxRuntime from 'preact/jsx-runtime';
import * as kit from '../kit/index.js';
import { App } from './app.js';
import { interceptLinks } from './router.js';

// The pages of plugins from npm or a folder are built apart (core/plugins/ui-build.ts) and use these, the shell's own copies.
(globalThis as { __plinthShared?: Record<string, unknown> }).__plinthShared = {
  preact,
  'preact/hooks': preactHooks,
  'preact/jsx-runtime': jsxRuntime,
  'plinth/plugin/ui': kit,
};

const root = document.getElementById('app')!;
interceptLinks(root);
preact.render(<App />, root);
