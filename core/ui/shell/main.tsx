// Entry of the admin UI bundle (dist/ui/shell.js + shell.css), loaded by the page core/http/admin-ui.ts serves.
import './shell.css';
import { render } from 'preact';
import { App } from './app.js';
import { interceptLinks } from './router.js';

const root = document.getElementById('app')!;
interceptLinks(root);
render(<App />, root);
