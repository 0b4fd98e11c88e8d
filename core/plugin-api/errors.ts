// `plinth/plugin/errors`: the coded error type alone, for code that runs on a worker thread (a mail
// parse worker). `plinth/plugin` loads the whole core, about a second of a worker's start-up for
// one class; this entry loads core/errors.ts and nothing else.
export * from '../errors.js';
