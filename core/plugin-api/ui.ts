// The public plugin API for admin pages (`plinth/plugin/ui`): the UI kit a plugin's ui/index.tsx builds
// its pages with. Browser code only; the server side is `plinth/plugin`.
export * from '../ui/kit/index.js';
