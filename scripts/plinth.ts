#!/usr/bin/env node
// The `plinth` command. OpenTelemetry's instrumentations patch modules as they are imported, so when
// OTEL_EXPORTER_OTLP_ENDPOINT is set `plinth start` starts the SDK first and only then imports the
// CLI (and through it the app). core/observability/otel.ts imports OpenTelemetry itself only when
// started: without the variable nothing of it is loaded.
//
// The compile cache keeps V8's code for the modules a start loads on disk (os.tmpdir()'s
// node-compile-cache, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1 turns it off): a start
// after the first skips compiling ~1,500 modules. It never fails a start; worker threads inherit it
// through the environment.
import nodeModule from 'node:module';
import { widenHeapGrowth } from '../core/heap-growth.js';

// Called only where it exists (Node 22.8 and later), like flushCompileCache in cli.ts.
const compileCache = nodeModule.enableCompileCache?.() ?? {};
if (compileCache.directory) process.env.NODE_COMPILE_CACHE ??= compileCache.directory;

// Before the app allocates: the old generation's room between full collections.
widenHeapGrowth();

const { startOpenTelemetry, telemetryWanted } = await import('../core/observability/otel.js');

const [command = 'start'] = process.argv.slice(2);
if (command === 'start' && telemetryWanted(process.env)) await startOpenTelemetry();
await import('./cli.js');
